"""A push or an import posted twice (double click, Back and resubmit, two tabs) runs once."""

from __future__ import annotations

from django.contrib.messages import get_messages

from contacts import transfers
from contacts.models import Transfer
from klentyadmin.core.once import ALREADY_SENT, MISSING_KEY, new_key
from sandbox.team import TEAM_EMAILS
from tests.conftest import make_user, signed_in_client
from tests.contacts.helpers import cache, crm_contacts
from tests.contacts.test_import import pick, post_ids
from tests.fixtures.concurrency import overlapping


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def test_a_push_posted_again_lands_on_the_first_transfer_and_creates_no_contact(
    manager_client, sandbox, committed
):
    person = cache("twice.pushed@acme.example", TEAM_EMAILS[0])
    data = {
        "scope": "selected",
        "prospect_ids": [person.pk],
        "lead_status": "2",
        "once_key": new_key(),
    }

    first = committed(manager_client.post, "/contacts/push/start/", data)
    again = committed(manager_client.post, "/contacts/push/start/", data)

    transfer = Transfer.objects.get()
    assert first["Location"] == again["Location"] == f"/contacts/transfers/{transfer.pk}/"
    assert said(again)[-1] == ALREADY_SENT
    assert len(crm_contacts(sandbox, person.email)) == 1


def test_an_import_posted_again_queues_one_bulk_add(manager_client, sandbox, committed):
    new, *_ = pick(sandbox)
    data = post_ids(new, list_name="")
    since = sandbox.last_seq()

    first = committed(manager_client.post, "/contacts/import/start/", data)
    again = committed(manager_client.post, "/contacts/import/start/", data)

    transfer = Transfer.objects.get()
    assert first["Location"] == again["Location"] == f"/contacts/transfers/{transfer.pk}/"
    assert said(again)[-1] == ALREADY_SENT
    bulk_adds = [
        r
        for r in sandbox.requests(since)
        if r["method"] == "POST" and r["path"].endswith("/prospects")
    ]
    assert len(bulk_adds) == 1


def test_a_push_without_a_key_is_a_form_error(manager_client, sandbox):
    person = cache("no.key@acme.example", TEAM_EMAILS[0])

    response = manager_client.post(
        "/contacts/push/start/",
        {"scope": "selected", "prospect_ids": [person.pk], "lead_status": "2"},
    )

    assert response.status_code == 200
    assert MISSING_KEY in response.content.decode()
    assert not Transfer.objects.exists()


def test_two_pushes_of_one_key_at_the_same_moment_make_one_transfer(
    sandbox, monkeypatch, concurrent_database
):
    manager = make_user("morgan", "manager", TEAM_EMAILS[0])
    person = cache("at.once@acme.example", TEAM_EMAILS[0])
    data = {"scope": "selected", "prospect_ids": [person.pk], "once_key": new_key()}
    tab, other_tab = signed_in_client(manager), signed_in_client(manager)

    responses = overlapping(
        monkeypatch,
        transfers,
        "start_push",
        lambda: tab.post("/contacts/push/start/", data),
        lambda: other_tab.post("/contacts/push/start/", data),
    )

    transfer = Transfer.objects.get()
    assert {r["Location"] for r in responses} == {f"/contacts/transfers/{transfer.pk}/"}
    assert said(responses[1]) == [ALREADY_SENT]
    assert len(crm_contacts(sandbox, person.email)) == 1
