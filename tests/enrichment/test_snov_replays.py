"""Snov.io resends a delivery it thinks failed (up to seven times): the receiver keeps
one row per event, however the resend is spelled (issue 14, finding 6)."""

from __future__ import annotations

import json

import pytest

from enrichment.models import SnovEvent, SnovWebhook


@pytest.fixture
def delivered(admin_client, snov_sandbox):
    """Our receiver's URL, and a delivery as the sandbox's Snov.io sends it there."""
    admin_client.post("/enrichment/webhooks/", {"event": "campaign_email.opened"})
    hook = SnovWebhook.objects.get()
    fired = snov_sandbox._call(
        "POST", "snov/webhook-event", {"event_object": "campaign_email", "event_action": "opened"}
    )
    assert fired["fired"] == 1
    return f"/enrichment/hooks/{hook.token}/", fired["payload"]


def post(client, url: str, text: str):
    return client.post(url, text, content_type="application/json")


def test_three_identical_deliveries_store_one_event(client, delivered):
    url, payload = delivered

    answers = [post(client, url, json.dumps(payload)) for _ in range(3)]

    assert [a.status_code for a in answers] == [200, 200, 200]
    assert [a.json()["status"] for a in answers] == ["stored", "duplicate", "duplicate"]
    assert SnovEvent.objects.count() == 1


def test_a_resend_spelled_differently_is_the_same_event(client, delivered):
    url, payload = delivered

    post(client, url, json.dumps(payload))
    post(client, url, json.dumps(payload, indent=2, sort_keys=True))
    post(client, url, json.dumps(dict(reversed(payload.items())), separators=(",", ":")))

    assert SnovEvent.objects.count() == 1


def test_the_same_recipient_at_another_moment_is_another_event(client, delivered):
    url, payload = delivered

    post(client, url, json.dumps(payload))
    post(client, url, json.dumps({**payload, "event_datetime": "2026-01-02 03:04:05"}))

    assert SnovEvent.objects.count() == 2
