"""Send to Klenty: nothing new refuses without a job, and the note counts in good English."""

from __future__ import annotations

from django.contrib.messages import get_messages

from klentyadmin.core.once import new_key
from klentyadmin.integrations.klenty import KlentyClient
from prospects.models import BulkJob, Prospect
from tests.enrichment.test_flow import HTMX, prospect_values, sendable_rows, verified_page


def found_and_sealed(client, how_many: int):
    """`how_many` emails found and verified for the domain, with their sealed row values."""
    prospects = prospect_values(client)[:12]
    ticked = [f"|{p.first_name}|{p.last_name}|{p.position}|{p.prospect_hash}" for p in prospects]
    rows = client.post("/enrichment/find-emails/", {"prospect": ticked}, **HTMX).context["found"]
    rows = rows[:how_many]
    assert len(rows) == how_many
    return rows, sendable_rows(verified_page(client, rows))


def send(client, sealed):
    list_name = KlentyClient.from_settings().get_lists()[0].name
    return client.post(
        "/enrichment/send/",
        {"row": sealed, "list_name": list_name, "once_key": new_key()},
        **HTMX,
    )


def test_sending_only_emails_already_in_klenty_is_refused_and_starts_no_job(
    manager_client, snov_sandbox
):
    rows, sealed = found_and_sealed(manager_client, 2)
    for row in rows:
        Prospect.objects.create(email=row.email)

    answer = send(manager_client, sealed)

    assert "Every ticked email is already in Klenty, so nothing was sent." in (
        answer.content.decode()
    )
    assert "HX-Redirect" not in answer.headers
    assert not BulkJob.objects.exists()


def test_sending_one_prospect_says_prospect_and_was(
    manager_client, snov_sandbox, django_capture_on_commit_callbacks
):
    rows, sealed = found_and_sealed(manager_client, 2)
    Prospect.objects.create(email=rows[0].email)

    with django_capture_on_commit_callbacks(execute=True):
        answer = send(manager_client, sealed)

    notes = [str(m) for m in get_messages(answer.wsgi_request)]
    assert notes == ["Sending 1 prospect to Klenty; 1 already in Klenty was skipped."]
