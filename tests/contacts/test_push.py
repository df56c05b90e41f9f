"""Klenty → CRM: push chosen cached prospects as contacts with a lead status."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from contacts import transfers
from contacts.models import Transfer, TransferItem
from klentyadmin.core import background
from klentyadmin.core.models import AuditEntry
from sandbox.team import TEAM_EMAILS
from tests.contacts.helpers import cache, crm_contacts

MANAGER, REP, OTHER = TEAM_EMAILS[0], TEAM_EMAILS[1], TEAM_EMAILS[2]


def push(client, prospects, lead_status="2", **extra):
    """Post the push form; the test wraps it in `committed` to run the worker."""
    data = {"scope": "selected", "prospect_ids": [p.pk for p in prospects], **extra}
    if lead_status is not None:
        data["lead_status"] = lead_status
    return client.post("/contacts/push/start/", data)


def test_the_chooser_lists_only_the_users_own_prospects(rep_client, db):
    cache("mine.one@acme.example", REP)
    cache("theirs.one@acme.example", OTHER)
    html = rep_client.get("/contacts/push/").content.decode()
    assert "mine.one@acme.example" in html and "theirs.one@acme.example" not in html


def test_the_confirmation_offers_the_crms_lead_statuses(manager_client, sandbox):
    p = cache("new.person@acme.example", MANAGER)
    response = manager_client.post(
        "/contacts/push/confirm/", {"scope": "selected", "prospect_ids": [p.pk]}
    )
    html = response.content.decode()
    assert 'data-testid="push-count">1<' in html
    assert '<option value="2">Qualified Lead</option>' in html
    assert "<code>leadStatus</code>" in html


def test_a_manager_pushes_prospects_and_gets_a_result_for_each(
    manager_client, sandbox, manager_user, committed
):
    existing = next(c for c in crm_contacts(sandbox) if c["email"])
    new = cache("new.person@acme.example", OTHER, phone="+1 415 555 0101", title="VP Sales")
    already = cache(existing["email"], OTHER)
    # An address Django's cache accepted but the CRM refuses: reported with its message.
    Prospect = type(new)
    Prospect.objects.filter(pk=cache("odd@local", OTHER).pk).update(email="odd@localhost")
    odd = Prospect.objects.get(email="odd@localhost")

    response = committed(push, manager_client, [new, already, odd])
    transfer = Transfer.objects.get()
    assert response["Location"] == f"/contacts/transfers/{transfer.pk}/"
    states = {i.email: (i.state, i.message) for i in transfer.items.all()}
    assert states[new.email][0] == TransferItem.State.CREATED
    assert states[already.email][0] == TransferItem.State.EXISTS
    assert states["odd@localhost"] == (
        TransferItem.State.INVALID,
        "The contacts CRM did not accept the request: Invalid email.",
    )
    (contact,) = crm_contacts(sandbox, new.email)
    assert contact["leadStatus"]["label"] == "Qualified Lead"
    assert contact["jobTitle"] == "VP Sales" and contact["phoneNumbers"] == ["+1 415 555 0101"]
    assert len(crm_contacts(sandbox, already.email)) == 1  # no duplicate
    assert AuditEntry.objects.filter(action="create_contact", actor=manager_user).count() == 2

    page = manager_client.get(response["Location"]).content.decode()
    assert 'data-testid="transfer-ok">1<' in page
    assert 'data-testid="transfer-existing">1<' in page
    assert 'data-testid="transfer-problems">1<' in page
    assert "Invalid email" in page


def test_a_lead_status_removed_in_the_crm_is_reported_per_item(manager_user, sandbox, committed):
    p = cache("new.person@acme.example", MANAGER)
    statuses = transfers.CrmClient.from_settings().get_lead_statuses()
    sandbox._call("POST", "crm/lead-statuses/2/delete", {})
    transfer = committed(transfers.start_push, manager_user, [p.pk], statuses[1])
    item = transfer.items.get()
    assert item.state == TransferItem.State.INVALID
    assert item.message.endswith("Invalid lead status.")


def test_pushing_without_a_lead_status_is_allowed(manager_client, sandbox, committed):
    p = cache("plain.person@acme.example", MANAGER)
    committed(push, manager_client, [p], lead_status="")
    assert crm_contacts(sandbox, p.email)[0]["leadStatus"] is None


def test_a_rep_pushes_only_their_own_prospects(rep_client, sandbox, committed):
    mine = cache("mine.one@acme.example", REP)
    theirs = cache("theirs.one@acme.example", OTHER)
    committed(push, rep_client, [mine, theirs])
    transfer = Transfer.objects.get()
    assert list(transfer.items.values_list("email", flat=True)) == [mine.email]
    assert crm_contacts(sandbox, theirs.email) == []


def test_failures_are_reported_and_can_be_retried(
    manager_client, manager_user, sandbox, settings, committed
):
    settings.API_MAX_ATTEMPTS = 1
    p = cache("flaky.person@acme.example", MANAGER)
    sandbox.fail_next(status=503, path_contains="/crm/")
    transfer = committed(transfers.start_push, manager_user, [p.pk], None)
    item = transfer.items.get()
    assert item.state == TransferItem.State.FAILED
    assert "not answering right now" in item.message
    page = manager_client.get(f"/contacts/transfers/{transfer.pk}/").content.decode()
    assert "Retry the failed ones" in page
    committed(manager_client.post, f"/contacts/transfers/{transfer.pk}/retry/")
    item.refresh_from_db()
    assert item.state == TransferItem.State.CREATED


def test_running_a_push_twice_does_no_harm(manager_user, sandbox):
    p = cache("twice.person@acme.example", MANAGER)
    transfer = transfers.start_push(manager_user, [p.pk], None)  # not run: no commit
    # A runner created the contact, then died before recording it ("sending").
    client = transfers.CrmClient.from_settings()
    client.create_contact(transfers.contact_fields(p, None))
    transfer.items.update(state=TransferItem.State.SENDING)
    Transfer.objects.filter(pk=transfer.pk).update(status=Transfer.Status.RUNNING, lease_until=None)
    assert background.run("crm_push", transfer.pk) == "done"
    assert background.run("crm_push", transfer.pk).startswith("not claimed")
    assert transfer.items.get().state == TransferItem.State.EXISTS
    assert len(crm_contacts(sandbox, p.email)) == 1


def test_a_crm_failure_loading_statuses_is_shown_with_a_retry(manager_client, sandbox):
    p = cache("new.person@acme.example", MANAGER)
    sandbox.fail_next(status=500, path_contains="lead-statuses")
    response = manager_client.post(
        "/contacts/push/confirm/", {"scope": "selected", "prospect_ids": [p.pk]}
    )
    html = response.content.decode()
    assert "Could not load the CRM" in html and "Retry loading" in html


def test_someone_elses_transfer_is_not_found_for_a_rep(rep_client, manager_user, db):
    transfer = Transfer.objects.create(direction=Transfer.Direction.TO_CRM, created_by=manager_user)
    assert rep_client.get(f"/contacts/transfers/{transfer.pk}/").status_code == 404


def test_a_push_whose_worker_died_is_resumed_and_its_page_stops_polling(
    manager_client, manager_user, sandbox, django_capture_on_commit_callbacks
):
    people = [cache(f"resumed.{n}@acme.example", MANAGER) for n in range(3)]
    transfer = transfers.start_push(manager_user, [p.pk for p in people], None)  # not run
    # The worker was killed mid-item: the run says "running", its lease has lapsed.
    first = transfer.items.order_by("pk").first()
    TransferItem.objects.filter(pk=first.pk).update(state=TransferItem.State.SENDING, attempts=1)
    Transfer.objects.filter(pk=transfer.pk).update(
        status=Transfer.Status.RUNNING, lease_until=timezone.now() - timedelta(seconds=1)
    )
    poll = f"/contacts/transfers/{transfer.pk}/progress/"
    assert manager_client.get(poll, HTTP_HX_REQUEST="true").status_code == 200

    with django_capture_on_commit_callbacks(execute=True):
        assert background.resume_stalled() == 1

    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.DONE
    assert set(transfer.items.values_list("state", flat=True)) == {TransferItem.State.CREATED}
    assert all(len(crm_contacts(sandbox, p.email)) == 1 for p in people)
    assert manager_client.get(poll, HTTP_HX_REQUEST="true").status_code == 286
