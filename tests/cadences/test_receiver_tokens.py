"""A receiver token shows nowhere a Manager or a log reader could copy it from
(issue 14, finding 1): not in the audit log, the API call log, or the webhooks page."""

from __future__ import annotations

import json

from cadences.models import WebhookSubscription
from klentyadmin.core.models import ApiCall, AuditEntry
from klentyadmin.integrations.klenty import KlentyClient


def test_subscribing_the_dashboard_leaves_no_receiver_token_in_the_audit_log(
    admin_client, manager_client, sandbox
):
    admin_client.post("/cadences/webhooks/subscribe/")

    tokens = list(WebhookSubscription.objects.values_list("token", flat=True))
    entries = AuditEntry.objects.filter(action="add_webhook")
    assert len(tokens) == entries.count() == 10
    recorded = " ".join(
        f"{e.target} {e.result} {json.dumps(e.details)}" for e in entries
    ) + " ".join(ApiCall.objects.values_list("error", flat=True))
    page = manager_client.get("/audit/").content.decode()
    for token in tokens:
        assert token not in recorded and token not in page
        assert f"/hooks/klenty/{token[:4]}…/" in recorded


def test_the_webhooks_page_masks_a_receiver_token_of_a_webhook_created_elsewhere(
    admin_client, sandbox, settings
):
    token = "lost-token-0123456789abcdefghijklmnopqrstuvw"
    KlentyClient.from_settings().add_webhook(
        "open", f"{settings.PUBLIC_BASE_URL}/hooks/klenty/{token}/"
    )

    page = admin_client.get("/cadences/webhooks/").content.decode()

    assert "created elsewhere" in page
    assert token not in page
    assert "/hooks/klenty/lost…/" in page
