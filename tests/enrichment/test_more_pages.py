"""Snov.io campaigns, webhooks, and "Verify the emails of these prospects"."""

from __future__ import annotations

import json

from enrichment.models import SnovEvent, SnovWebhook, VerificationRun
from klentyadmin.core.once import new_key
from prospects.models import BulkJob, Prospect

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_campaign_list_and_analytics(manager_client, snov_sandbox):
    page = manager_client.get("/enrichment/campaigns/")
    assert "BrightForge outreach" in page.content.decode()
    detail = manager_client.get("/enrichment/campaigns/237945/", {"date_from": "2020-01-01"})
    body = detail.content.decode()
    assert detail.status_code == 200 and "Emails sent" in body and "unfinished" in body
    tab = manager_client.get("/enrichment/campaigns/237945/", {"tab": "opens"}, **HTMX)
    assert "@prospect" in tab.content.decode()


def test_a_backwards_date_range_is_refused(manager_client, snov_sandbox):
    page = manager_client.get(
        "/enrichment/campaigns/237945/", {"date_from": "2024-02-01", "date_to": "2024-01-01"}
    )
    assert "The start date is after the end date" in page.content.decode()


def test_reps_do_not_see_campaigns(rep_client):
    assert rep_client.get("/enrichment/campaigns/").status_code == 403


def test_changing_a_recipients_status(manager_client, snov_sandbox):
    from klentyadmin.integrations.snov import SnovClient

    client = SnovClient.from_settings()
    finished = {p.email for p in client.completed_prospects(237945)}
    email = next(s.email for s in client.sent_emails(237945) if s.email not in finished)
    answer = manager_client.post(
        "/enrichment/campaigns/237945/recipient/", {"email": email, "status": "Paused"}, follow=True
    )
    assert f"{email} is now Paused" in answer.content.decode()
    refused = manager_client.post(
        "/enrichment/campaigns/237945/recipient/",
        {"email": next(iter(finished)), "status": "Paused"},
        follow=True,
    )
    assert "Finished" in refused.content.decode()


def test_webhooks_are_added_received_and_deleted(admin_client, client, snov_sandbox):
    admin_client.post("/enrichment/webhooks/", {"event": "campaign_reply.received"})
    hook = SnovWebhook.objects.get()
    assert hook.snov_id
    page = admin_client.get("/enrichment/webhooks/").content.decode()
    assert "campaign_reply.received" in page
    payload = {"event": "campaign_reply.received", "data": {"recipient": {"email": "a@b.example"}}}
    answer = client.post(
        f"/enrichment/hooks/{hook.token}/", json.dumps(payload), content_type="application/json"
    )
    assert answer.status_code == 200 and SnovEvent.objects.get().email == "a@b.example"
    asked = admin_client.post(f"/enrichment/webhooks/{hook.snov_id}/", {"action": "delete"})
    assert "Delete the Snov.io webhook for “Campaign reply received”?" in asked.content.decode()
    assert SnovWebhook.objects.exists()  # nothing deleted before the second POST
    admin_client.post(
        f"/enrichment/webhooks/{hook.snov_id}/", {"action": "delete", "confirmed": "yes"}
    )
    assert not SnovWebhook.objects.exists()


def test_the_receiver_rejects_unknown_tokens_and_bad_bodies(client, db):
    hook = SnovWebhook.objects.create(event_object="campaign_email", event_action="sent")
    assert (
        client.post("/enrichment/hooks/nope/", "{}", content_type="application/json").status_code
        == 404
    )
    for body in ("not json", "[1]", '{"a": ' * 5000):
        answer = client.post(
            f"/enrichment/hooks/{hook.token}/", body, content_type="application/json"
        )
        assert answer.status_code == 400
    assert client.get(f"/enrichment/hooks/{hook.token}/").status_code == 405


def test_verify_a_selection_tags_the_invalid_ones_and_marks_them_dnc(
    manager_client, snov_sandbox, django_capture_on_commit_callbacks
):
    emails = [f"{n}.person@brightforge.example" for n in "abcdefghijkl"]
    ids = [Prospect.objects.create(email=e).pk for e in emails]
    confirm = manager_client.post(
        "/enrichment/verify-prospects/",
        {"scope": "selected", "prospect_ids": ids, "tag": "bad-email"},
    )
    assert "12" in confirm.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        answer = manager_client.post(
            "/enrichment/verify-prospects/",
            {
                "scope": "selected",
                "prospect_ids": ids,
                "tag": "bad-email",
                "mark_dnc": "on",
                "confirm": "1",
                "once_key": new_key(),
            },
        )
    run = VerificationRun.objects.get()
    assert answer.status_code == 302 and run.status == "done"
    assert run.valid + run.invalid + run.unknown == 12
    assert run.invalid  # the seeded outcomes make some of these not_valid
    if run.invalid:
        assert BulkJob.objects.get(action="add_tags").total == run.invalid
        assert BulkJob.objects.get(action="mark_dnc").total == run.invalid
    poll = manager_client.get(f"/enrichment/verify-prospects/{run.pk}/", **HTMX)
    assert poll.status_code == 286


def test_the_search_pages_selection_opens_the_verification_confirmation(manager_client):
    from prospects.models import Prospect

    ticked = [Prospect.objects.create(email=f"v{i}@acme.example") for i in range(3)]
    Prospect.objects.create(email="not-ticked@acme.example")

    response = manager_client.post(
        "/enrichment/verify-prospects/",
        {
            "prospect_ids": [p.pk for p in ticked],
            "scope": "selected",
            "query": "q=acme",
            "action": "",
        },
    )

    assert response.status_code == 200
    body = response.content.decode()
    for p in ticked:
        assert f'name="prospect_ids" value="{p.pk}"' in body
    assert 'name="scope" value="selected"' in body
    assert response.context["count"] == 3
