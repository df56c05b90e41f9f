"""POST /hooks/klenty/<token>/: where Klenty delivers webhook events.

No session and no CSRF token (Klenty sends neither): the unguessable token in
the URL is the only credential. The view answers fast and never 500: what is
not a well-formed delivery is refused with a 4xx and a reason, and a database
outage answers 503 so Klenty tries again later.
"""

from __future__ import annotations

import logging
import time

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import DatabaseError, OperationalError
from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from cadences.models import WebhookSubscription
from cadences.receiver import receive
from klentyadmin.core.middleware import RETRY_AFTER_SECONDS
from klentyadmin.lib.webhook_body import Refused, check_content_type, read_body

log = logging.getLogger(__name__)
# SQLite can answer "locked" at once rather than wait (shared-cache databases, or a
# busy timeout run out); Klenty does not resend, so a delivery is worth a short wait.
LOCKED_RETRIES = 4


def store(subscription: WebhookSubscription, raw: bytes):
    for attempt in range(1, LOCKED_RETRIES + 1):
        try:
            return receive(subscription, raw)
        except OperationalError:
            if attempt == LOCKED_RETRIES:
                raise
            time.sleep(0.05 * attempt)


@csrf_exempt
@login_not_required
@require_POST
def klenty(request: HttpRequest, token: str):
    try:
        subscription = WebhookSubscription.objects.only("pk", "event").filter(token=token).first()
        if subscription is None:
            return JsonResponse({"error": "No webhook has this address."}, status=404)
        check_content_type(request.META.get("CONTENT_TYPE", ""))
        event, stored = store(subscription, read_body(request, settings.WEBHOOK_MAX_BODY_BYTES))
    except Refused as exc:
        return JsonResponse({"error": str(exc)}, status=exc.status)
    except DatabaseError:
        log.exception("webhook delivery not stored")
        answer = JsonResponse({"error": "Not stored; please send it again later."}, status=503)
        answer["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return answer
    except Exception:
        # A bug must not turn into a 500 that Klenty retries forever; it is logged.
        log.exception("webhook delivery could not be read")
        return JsonResponse({"error": "The delivery could not be read."}, status=400)
    if not stored:  # a replay: 200, so Klenty does not send it again
        return JsonResponse({"status": "duplicate"})
    return JsonResponse({"status": "stored", "id": event.pk})
