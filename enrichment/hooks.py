"""The Snov.io webhook receiver: Snov.io does not sign deliveries, so each
subscription's URL carries an unguessable token. 404 for an unknown token, 400 for
a malformed body, never a 500."""

from __future__ import annotations

import json

from django.contrib.auth.decorators import login_not_required
from django.http import HttpResponse, HttpResponseBadRequest, HttpResponseNotFound, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from enrichment.models import SnovEvent, SnovWebhook

MAX_BODY = 256 * 1024


@csrf_exempt
@login_not_required
@require_POST
def receive(request, token: str) -> HttpResponse:
    webhook = SnovWebhook.objects.filter(token=token).first()
    if webhook is None:
        return HttpResponseNotFound("Unknown webhook")
    if len(request.body) > MAX_BODY:
        return HttpResponseBadRequest("Too large")
    try:
        payload = json.loads(request.body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return HttpResponseBadRequest("Not JSON")
    if not isinstance(payload, dict):
        return HttpResponseBadRequest("Not a JSON object")
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
