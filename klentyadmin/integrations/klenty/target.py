"""Which Klenty the dashboard talks to, and with what key.

Order of precedence: environment variables (deployments), then what an Admin
entered on the Connections page, then the embedded sandbox. Only base URLs and
keys differ between the sandbox and the real service.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from klentyadmin.core.connections import stored_connection
from klentyadmin.core.models import Service

KLENTY_API_BASE = "https://api.klenty.com/apis/v1"
KLENTY_APP_BASE = "https://app.klenty.com/apis/v1"


@dataclass(frozen=True)
class KlentyTarget:
    api_key: str
    api_base: str
    app_base: str
    team_emails: tuple[str, ...]
    sandbox: bool
    rate_limit_per_min: int
    key_source: str  # "environment", "connections page" or "sandbox"

    @property
    def default_user(self) -> str:
        return self.team_emails[0] if self.team_emails else ""


def klenty_target() -> KlentyTarget:
    stored = stored_connection(Service.KLENTY)
    stored_key = stored.api_key() if stored and stored.api_key_encrypted else ""
    if settings.KLENTY_API_KEY:
        key, source = settings.KLENTY_API_KEY, "environment"
    elif stored_key:
        key, source = stored_key, "connections page"
    else:
        key, source = "", "sandbox"
    sandbox = not key
    sandbox_base = f"{settings.SANDBOX_URL}/klenty/apis/v1"
    api_base = settings.KLENTY_API_BASE or (sandbox_base if sandbox else KLENTY_API_BASE)
    app_base = settings.KLENTY_APP_BASE or (sandbox_base if sandbox else KLENTY_APP_BASE)
    if settings.KLENTY_TEAM_EMAILS:
        team = [e.lower() for e in settings.KLENTY_TEAM_EMAILS]
    elif stored and stored.team_email_list:
        team = stored.team_email_list
    else:
        team = list(settings.SANDBOX_TEAM_EMAILS) if sandbox else []
    return KlentyTarget(
        api_key=key or settings.SANDBOX_KLENTY_KEY,
        api_base=api_base,
        app_base=app_base,
        team_emails=tuple(team),
        sandbox=sandbox,
        rate_limit_per_min=settings.KLENTY_RATE_LIMIT_PER_MIN,
        key_source=source,
    )
