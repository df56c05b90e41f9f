"""Send to Klenty and the verification runs, posted twice, start their work once."""

from __future__ import annotations

from django.contrib.messages import get_messages

from enrichment.models import VerificationRun
from enrichment.services import Row, sealed_value
from klentyadmin.core.once import ALREADY_SENT, MISSING_KEY, new_key
from klentyadmin.integrations.klenty import KlentyClient
from prospects.models import BulkJob, Prospect

HTMX = {"HTTP_HX_REQUEST": "true"}


def said(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


def posted_twice(client, capture, url: str, data: dict, **extra):
    """The same form (the same key) sent twice, each run to its end."""
    responses = []
    for _ in range(2):
        with capture(execute=True):
            responses.append(client.post(url, data, **extra))
    return responses


def test_send_to_klenty_posted_again_adds_the_prospects_once(
    manager_client, manager_user, snov_sandbox, django_capture_on_commit_callbacks
):
    list_name = KlentyClient.from_settings().get_lists()[0].name
    row = Row("ada.twice@brightforge.example", "Ada", "Lovelace", "CTO")
    data = {
        "row": [sealed_value(row, manager_user)],
        "list_name": list_name,
        "once_key": new_key(),
    }
    since = snov_sandbox.last_seq()

    first, again = posted_twice(
        manager_client, django_capture_on_commit_callbacks, "/enrichment/send/", data, **HTMX
    )

    job = BulkJob.objects.get(action="import")
    assert first.headers["HX-Redirect"] == again.headers["HX-Redirect"] == job.get_absolute_url()
    assert said(again)[-1] == ALREADY_SENT
    adds = [
        r
        for r in snov_sandbox.requests(since)
        if r["method"] == "POST" and r["path"].endswith("/prospects")
    ]
    assert len(adds) == 1
    assert Prospect.objects.filter(email="ada.twice@brightforge.example").count() == 1


def test_a_verification_run_posted_again_verifies_once(
    manager_client, snov_sandbox, django_capture_on_commit_callbacks
):
    ids = [Prospect.objects.create(email=f"{n}.v@acme.example").pk for n in "ab"]
    data = {
        "scope": "selected",
        "prospect_ids": ids,
        "tag": "bad-email",
        "confirm": "1",
        "once_key": new_key(),
    }

    first, again = posted_twice(
        manager_client, django_capture_on_commit_callbacks, "/enrichment/verify-prospects/", data
    )

    run = VerificationRun.objects.get()
    assert first["Location"] == again["Location"] == run.get_absolute_url()
    assert said(again)[-1] == ALREADY_SENT


def test_the_pasted_emails_verifier_posted_again_starts_one_run(
    manager_client, snov_sandbox, django_capture_on_commit_callbacks
):
    data = {"emails": "info@brightforge.example", "once_key": new_key()}

    first, again = posted_twice(
        manager_client, django_capture_on_commit_callbacks, "/enrichment/verifier/", data
    )

    run = VerificationRun.objects.get()
    assert first["Location"] == again["Location"] == run.get_absolute_url()


def test_confirming_a_verification_without_a_key_is_a_form_error(
    manager_client, manager_user, snov_sandbox
):
    ids = [Prospect.objects.create(email="k.v@acme.example").pk]

    page = manager_client.post(
        "/enrichment/verify-prospects/", {"prospect_ids": ids, "tag": "t", "confirm": "1"}
    )
    row = sealed_value(Row("a@b.example", "A", "B"), manager_user)
    sent = manager_client.post("/enrichment/send/", {"row": [row]}, **HTMX)

    assert page.status_code == 200 and MISSING_KEY in page.content.decode()
    assert not VerificationRun.objects.exists()
    assert sent.status_code == 200 and MISSING_KEY in sent.content.decode()
    assert not BulkJob.objects.exists()


def test_the_confirmation_from_a_search_carries_a_key(manager_client, snov_sandbox):
    ticked = Prospect.objects.create(email="from.search@acme.example")

    page = manager_client.post(
        "/enrichment/verify-prospects/",
        {"prospect_ids": [ticked.pk], "scope": "selected", "query": "", "action": ""},
    )

    assert MISSING_KEY not in page.content.decode()
    assert 'name="once_key"' in page.content.decode()
