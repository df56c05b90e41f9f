"""The Snov.io webhooks page names events as a person reads them, never by API name."""

from __future__ import annotations

from enrichment.forms import WEBHOOK_EVENT_CHOICES
from enrichment.models import SnovEvent, SnovWebhook
from klentyadmin.integrations.snov.types import WEBHOOK_EVENT_LABELS


def test_received_events_are_listed_by_their_label(admin_client, snov_sandbox):
    hook = SnovWebhook.objects.create(event_object="campaign_email", event_action="opened")
    SnovEvent.objects.create(
        webhook=hook, event="campaign_email.opened", email="a@b.example", payload={}
    )

    page = admin_client.get("/enrichment/webhooks/").content.decode()

    assert '<td title="campaign_email.opened">Campaign email opened</td>' in page
    assert ">campaign_email.opened<" not in page


def test_adding_a_webhook_says_its_event_in_words(admin_client, snov_sandbox):
    answer = admin_client.post(
        "/enrichment/webhooks/", {"event": "campaign_reply.received"}, follow=True
    )

    body = answer.content.decode()
    assert "Snov.io will send “Campaign reply received” events here." in body
    assert "campaign_reply.received events" not in body


def test_the_event_choices_are_the_vendor_labels():
    assert WEBHOOK_EVENT_CHOICES == list(WEBHOOK_EVENT_LABELS.items())
