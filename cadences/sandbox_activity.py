"""The sandbox's "simulate activity" switch, for watching the feed fill without Klenty.

Only offered while the dashboard talks to the embedded sandbox. Switching it on
also subscribes the dashboard to every event, so one click makes events flow.
"""

from __future__ import annotations

from django.conf import settings

from cadences.webhooks import subscribe_dashboard
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.http import ApiSession
from klentyadmin.integrations.klenty import KlentyClient

CONTROL_RATE_PER_MIN = 600


def control_session() -> ApiSession:
    return ApiSession(
        service="sandbox",
        base_url=f"{settings.SANDBOX_URL}/_sandbox",
        auth_headers={},
        rate_key="sandbox-control",
        per_minute=CONTROL_RATE_PER_MIN,
        sandbox=True,
    )


def simulated_activity_running() -> bool | None:
    """Whether the sandbox is making activity up; None when it cannot be asked."""
    try:
        return bool(
            control_session().get("/config", endpoint="sandbox_config")["simulate_activity"]
        )
    except (ApiError, KeyError, TypeError):
        return None


def simulate_activity(on: bool, user=None) -> None:
    """Raises ApiError or NoPublicUrl, whose text is the message to show."""
    if on:
        subscribe_dashboard(KlentyClient.from_settings(actor=user), user)
    control_session().post(
        "/config", endpoint="sandbox_config", json={"simulate_activity": on}, idempotent=True
    )
