"""How an incoming webhook answers: plain text, not JSON.

Slack answers a delivered message with HTTP 200 and the body ``ok``; a refusal with
a 4xx and a short reason (``invalid_payload``, ``no_service``, ``channel_is_archived``);
a revoked URL with 404 or 410. The shared layer expects JSON, so this session reads
the answer itself. Beyond a connection that was never made (which the shared layer
tries again), it retries nothing: a 5xx or a lost answer is `ApiUnavailable`, a 429
`ApiRateLimited`, and the caller (alerts/notify.py) decides how often to try again,
with its own backoff, so each try is counted on the notification it belongs to.
"""

from __future__ import annotations

import requests

from klentyadmin.integrations.errors import (
    ApiAuthError,
    ApiNotFound,
    ApiRateLimited,
    ApiUnavailable,
    ApiValidationError,
)
from klentyadmin.integrations.http import ApiSession

SERVICE = "slack"
REASON_LENGTH = 80


class SlackSession(ApiSession):
    service = SERVICE
    access_hint = "Check the webhook URL on the alert rule."

    def _check(self, response: requests.Response, endpoint: str) -> str:
        # Overrides the shared JSON reading: an incoming webhook's answers are text.
        status = response.status_code
        reason = (
            (response.text or "").strip().splitlines()[0][:REASON_LENGTH] if response.text else ""
        )
        if 200 <= status < 300:
            return reason or "ok"
        if status == 429:
            raise ApiRateLimited(
                "Slack asked us to slow down.",
                service=SERVICE,
                endpoint=endpoint,
                status_code=status,
            )
        if status >= 500:
            raise ApiUnavailable(
                f"The webhook answered HTTP {status}.",
                service=SERVICE,
                endpoint=endpoint,
                status_code=status,
            )
        if status in (404, 410):
            raise ApiNotFound(
                "The webhook URL no longer exists (it may have been revoked).",
                service=SERVICE,
                endpoint=endpoint,
                status_code=status,
            )
        if status in (401, 403):
            raise ApiAuthError(
                "The webhook refused the message.",
                service=SERVICE,
                endpoint=endpoint,
                status_code=status,
            )
        detail = f": {reason}" if reason else ""
        raise ApiValidationError(
            f"The webhook refused the message (HTTP {status}{detail}).",
            service=SERVICE,
            endpoint=endpoint,
            status_code=status,
        )
