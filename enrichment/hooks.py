"""The Snov.io webhook receiver: Snov.io does not sign deliveries, so each
subscription's URL carries an unguessable token. 404 for an unknown token, 400 for
a malformed body (413 for one over 256 KB), never a 500.

Snov.io resends a delivery it thinks failed, up to seven times over 38 hours: a
delivery whose identity (event, recipient, moment, campaign) is already stored is
answered 200 and stores nothing new."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotFound, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from enrichment.models import SnovEvent, SnovWebhook
from klentyadmin.lib.webhook_body import UNSTORABLE, Refused, decode_json_object, read_body
from klentyadmin.lib.webhook_identity import (
    canonical_json,
    delivery_id,
    identity_of,
    store_once,
)

MAX_BODY = 256 * 1024
# Snov.io's deliveries nest three or four levels; SQLite's JSON stops at 1,000.
MAX_DEPTH = 100


def storable(payload: Any) -> bool:
    """False when a text anywhere in the payload holds NUL or a lone surrogate, or it
    nests deeper than MAX_DEPTH: a JSON column cannot store either (PostgreSQL refuses
    the characters, SQLite's JSON the depth). A loop, so depth cannot overflow the stack."""
    pending = [(payload, 0)]
    while pending:
        value, depth = pending.pop()
        if depth > MAX_DEPTH:
            return False
        if isinstance(value, str):
            if UNSTORABLE.search(value):
                return False
        elif isinstance(value, dict):
            pending.extend((item, depth + 1) for pair in value.items() for item in pair)
        elif isinstance(value, list):
            pending.extend((item, depth + 1) for item in value)
    return True


@csrf_exempt
@login_not_required
@require_POST
def receive(request, token: str) -> HttpResponse:
    webhook = SnovWebhook.objects.filter(token=token).first()
    if webhook is None:
        return HttpResponseNotFound("Unknown webhook")
    try:
        # The same reading as Klenty's receiver: a size limit, UTF-8, a JSON object, no NaN.
        _, payload = decode_json_object(read_body(request, MAX_BODY))
    except Refused as exc:
        return HttpResponse(str(exc), status=exc.status)
    if not storable(payload):
        return HttpResponseBadRequest("The body nests too deep or holds unstorable characters.")
    event, email = read_delivery(webhook, payload)
    fields = {"webhook": webhook, "event": event, "email": email, "payload": payload}
    _, created = store_once(SnovEvent, delivery_identity(event, email, payload), fields)
    return JsonResponse({"ok": True, "status": "stored" if created else "duplicate"})


def _object(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def read_delivery(webhook: SnovWebhook, payload: dict[str, Any]) -> tuple[str, str]:
    """The event's name (the subscription's when the body names none) and the recipient."""
    recipient = _object(_object(payload.get("data")).get("recipient"))
    event = payload.get("event") or f"{webhook.event_object}.{webhook.event_action}"
    return str(event)[:64], str(recipient.get("email") or "")[:254]


def delivery_identity(event: str, email: str, payload: dict[str, Any]) -> str:
    """What makes a delivery one event: its name, recipient, moment and campaign (and
    an id, were Snov.io to send one). Without a moment the whole payload, canonically
    spelled, stands in for it, so only a true replay is taken for one."""
    moment = payload.get("event_datetime")
    if not isinstance(moment, str | int) or isinstance(moment, bool) or moment == "":
        moment = canonical_json(payload)
    campaign = _object(_object(payload.get("data")).get("campaign")).get("id")
    return identity_of(event, email.strip().lower(), moment, campaign, delivery_id(payload))
