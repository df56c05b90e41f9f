"""The Snov.io webhook receiver: Snov.io does not sign deliveries, so each
subscription's URL carries an unguessable token. 404 for an unknown token, 400 for
a malformed body (413 for one over 256 KB), never a 500."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotFound, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from enrichment.models import SnovEvent, SnovWebhook
from klentyadmin.lib.webhook_body import UNSTORABLE, Refused, decode_json_object, read_body

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
    data = payload.get("data") if isinstance(payload.get("data"), dict) else {}
    recipient = data.get("recipient") if isinstance(data.get("recipient"), dict) else {}
    event = payload.get("event") or f"{webhook.event_object}.{webhook.event_action}"
    SnovEvent.objects.create(
        webhook=webhook,
        event=str(event)[:64],
        email=str(recipient.get("email") or "")[:254],
        payload=payload,
    )
    return JsonResponse({"ok": True})
