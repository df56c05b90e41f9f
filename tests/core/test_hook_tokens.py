"""The tokens of our webhook receivers' URLs are a credential: one helper masks them
wherever a receiver URL is recorded or logged (issue 14, finding 1)."""

from __future__ import annotations

import json
import logging

import pytest
from django.urls import reverse

from klentyadmin.core.models import ApiCall, AuditEntry
from klentyadmin.core.recording import record_api_call, record_audit
from klentyadmin.lib.hook_tokens import redact_hook_tokens

TOKEN = "Secr3t-receiver-token_0123456789abcdefghijkl"


@pytest.mark.parametrize("receiver", ["hooks:klenty", "enrichment:hook"])
def test_the_masking_knows_both_receivers_url_shapes(receiver):
    url = "https://klentyadmin.example.com" + reverse(receiver, args=[TOKEN])

    masked = redact_hook_tokens(f'{{"url": "{url}"}} and {url}?x=1')

    assert TOKEN not in masked
    assert masked.count(url.replace(TOKEN, "Secr…")) == 2


def test_text_without_a_receiver_url_is_left_as_it_is():
    text = "POST /cadences/webhooks/add/ https://hooks.example/klenty/abc/ 200"

    assert redact_hook_tokens(text) == text


def test_recorded_calls_and_audit_entries_mask_receiver_tokens(db):
    url = f"https://klentyadmin.example.com/hooks/klenty/{TOKEN}/"
    record_api_call(
        service="klenty",
        method="POST",
        endpoint="add_webhook",
        status_code=400,
        duration_ms=5,
        attempts=1,
        error=f"Klenty refused the request: {url} is not reachable.",
        sandbox=True,
    )
    record_audit(
        actor=None,
        service="klenty",
        action="add_webhook",
        target=url,
        details={"payload": {"subscription_url": url, "event": "open"}},
        ok=True,
        result=json.dumps({"_id": "1", "url": url, "event": "open"}),
    )

    call, entry = ApiCall.objects.get(), AuditEntry.objects.get()
    recorded = [
        call.error,
        entry.target,
        json.dumps(entry.details, ensure_ascii=False),
        entry.result,
    ]
    assert all(TOKEN not in text and "/hooks/klenty/Secr…/" in text for text in recorded)


@pytest.mark.parametrize("handler", ["console", "django.server", "mail_admins"])
def test_every_log_handler_masks_receiver_tokens(handler):
    record = logging.LogRecord(
        "django.request",
        logging.WARNING,
        __file__,
        1,
        "Not Found: %s",
        (f"/hooks/klenty/{TOKEN}/",),
        None,
    )
    configured = logging.getHandlerByName(handler)

    assert configured is not None and configured.filter(record)
    assert record.getMessage() == "Not Found: /hooks/klenty/Secr…/"
