"""CRM → Klenty: choose contacts, see the mapping, import through the bulk engine."""

from __future__ import annotations

from contacts.models import Transfer, TransferItem
from klentyadmin.core.once import new_key
from klentyadmin.integrations.klenty import KlentyClient
from prospects.models import BulkAction, BulkJobItem, Prospect
from prospects.owners import DUPLICATE_FOR_MANAGERS
from sandbox.team import TEAM_EMAILS
from tests.contacts.helpers import cache, crm_contacts, klenty_emails


def pick(sandbox):
    """Two CRM-only contacts, one shared with Klenty (not cached), one cached, one without email."""
    contacts = crm_contacts(sandbox)
    in_klenty = klenty_emails(sandbox)
    new = [c for c in contacts if c["email"] and c["email"] not in in_klenty][:2]
    shared = [c for c in contacts if c["email"] in in_klenty][:2]
    no_email = next(c for c in contacts if not c["email"])
    cache(shared[1]["email"], TEAM_EMAILS[0])
    return new, shared[0], shared[1], no_email


def post_ids(contacts, **extra):
    return {
        "scope": "selected",
        "contact_ids": [str(c["id"]) for c in contacts],
        "once_key": new_key(),
        **extra,
    }


def test_the_confirmation_shows_the_mapping_and_what_happens_to_each(manager_client, sandbox):
    new, shared, cached, no_email = pick(sandbox)
    response = manager_client.post("/contacts/import/", post_ids([*new, shared, cached, no_email]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "<code>companyName</code></td><td>Company</td>" in html
    assert 'data-testid="import-send-count">3<' in html  # two new and the uncached shared one
    assert DUPLICATE_FOR_MANAGERS in html
    assert "No email in the CRM: Klenty needs one." in html


def test_a_manager_imports_contacts_and_sees_a_result_for_each(
    manager_client, sandbox, manager_user, committed
):
    new, shared, cached, no_email = pick(sandbox)
    response = committed(
        manager_client.post,
        "/contacts/import/start/",
        post_ids([*new, shared, cached, no_email], list_name="From the CRM", owner=TEAM_EMAILS[2]),
    )
    transfer = Transfer.objects.get()
    assert response["Location"] == f"/contacts/transfers/{transfer.pk}/"
    assert transfer.direction == Transfer.Direction.TO_KLENTY and transfer.total == 5
    job = transfer.bulk_job
    assert job.action == BulkAction.IMPORT and job.created_by == manager_user
    states = dict(job.items.values_list("email", "state"))
    assert states == {
        new[0]["email"]: BulkJobItem.State.DONE,
        new[1]["email"]: BulkJobItem.State.DONE,
        shared["email"]: BulkJobItem.State.SKIPPED,  # Klenty: already exists
    }
    skipped = dict(transfer.items.values_list("email", "message"))
    assert skipped[cached["email"]] == DUPLICATE_FOR_MANAGERS
    assert skipped[""] == "No email in the CRM: Klenty needs one."
    klenty = KlentyClient.from_settings().get_prospect(new[0]["email"])
    assert (klenty.first_name, klenty.company) == (new[0]["firstName"], new[0]["companyName"])
    assert klenty.list_name == "From the CRM" and klenty.owner == TEAM_EMAILS[2]
    assert Prospect.objects.filter(email=new[0]["email"]).exists()  # searchable at once

    page = manager_client.get(response["Location"]).content.decode()
    assert 'data-testid="transfer-ok">2<' in page
    assert 'data-testid="transfer-existing">2<' in page
    assert 'data-testid="transfer-problems">1<' in page
    assert "Added to Klenty" in page and "No email in the CRM" in page


def test_a_reps_imports_are_always_their_own(rep_client, sandbox, rep_user, committed):
    new, *_ = pick(sandbox)
    committed(
        rep_client.post,
        "/contacts/import/start/",
        post_ids(new[:1], owner=TEAM_EMAILS[0], list_name=""),
    )
    assert KlentyClient.from_settings().get_prospect(new[0]["email"]).owner == rep_user.klenty_email


def test_importing_all_matching_a_search_refetches_it_from_the_crm(manager_client, sandbox):
    person = next(c for c in crm_contacts(sandbox) if c["email"] and c["firstName"])
    query = person["email"]
    manager_client.post(
        "/contacts/import/start/", {"scope": "all", "query": query, "once_key": new_key()}
    )
    transfer = Transfer.objects.get()
    assert transfer.total == 1


def test_a_crm_failure_on_confirm_is_shown_with_a_retry(manager_client, sandbox):
    new, *_ = pick(sandbox)
    sandbox.fail_next(status=500, path_contains="/crm/")
    response = manager_client.post("/contacts/import/", post_ids(new))
    html = response.content.decode()
    assert response.status_code == 200
    assert "not answering right now" in html and "Retry loading" in html
    assert not Transfer.objects.exists()


def test_an_empty_selection_goes_back_with_a_message(manager_client, sandbox):
    response = manager_client.post("/contacts/import/", {"scope": "selected"}, follow=True)
    assert b"Tick at least one contact" in response.content


def test_get_is_not_allowed_on_import(manager_client, db):
    assert manager_client.get("/contacts/import/start/").status_code == 405


def test_the_progress_partial_stops_polling_when_done(manager_client, sandbox, committed):
    new, *_ = pick(sandbox)
    committed(manager_client.post, "/contacts/import/start/", post_ids(new))
    transfer = Transfer.objects.get()
    response = manager_client.get(
        f"/contacts/transfers/{transfer.pk}/progress/", HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 286
    assert TransferItem.objects.count() == 0
