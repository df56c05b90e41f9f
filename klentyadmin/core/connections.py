"""Which Klenty the dashboard talks to, and with what key.

Order of precedence: environment variables (deployments), then what an Admin
entered on the Connections page, then the embedded sandbox. Only base URLs and
keys differ between the sandbox and the real service.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from klentyadmin.core.models import Connection, Service

KLENTY_API_BASE = "https://api.klenty.com/apis/v1"
KLENTY_APP_BASE = "https://app.klenty.com/apis/v1"
SNOV_API_BASE = "https://api.snov.io"
CRM_API_BASE = "https://api.skarbe.com"


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


def stored_connection(service: str = Service.KLENTY) -> Connection | None:
    return Connection.objects.filter(service=service).first()


def klenty_target() -> KlentyTarget:
    stored = stored_connection()
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


@dataclass(frozen=True)
class SnovTarget:
    client_id: str
    client_secret: str
    api_base: str
    sandbox: bool
    rate_limit_per_min: int
    key_source: str


def snov_target() -> SnovTarget:
    stored = stored_connection(Service.SNOV)
    if settings.SNOV_CLIENT_ID and settings.SNOV_CLIENT_SECRET:
        client_id, secret, source = (
            settings.SNOV_CLIENT_ID,
            settings.SNOV_CLIENT_SECRET,
            "environment",
        )
    elif stored and stored.client_id and stored.api_key_encrypted:
        client_id, secret, source = stored.client_id, stored.api_key(), "connections page"
    else:
        client_id = settings.SANDBOX_SNOV_CLIENT_ID
        secret, source = settings.SANDBOX_SNOV_CLIENT_SECRET, "sandbox"
    sandbox = source == "sandbox"
    return SnovTarget(
        client_id=client_id,
        client_secret=secret,
        api_base=settings.SNOV_API_BASE
        or (f"{settings.SANDBOX_URL}/snov" if sandbox else SNOV_API_BASE),
        sandbox=sandbox,
        rate_limit_per_min=settings.SNOV_RATE_LIMIT_PER_MIN,
        key_source=source,
    )


@dataclass(frozen=True)
class CrmTarget:
    api_key: str
    api_base: str
    sandbox: bool
    rate_limit_per_min: int
    key_source: str


def crm_target() -> CrmTarget:
    stored = stored_connection(Service.CRM)
    if settings.CRM_API_KEY:
        key, source = settings.CRM_API_KEY, "environment"
    elif stored and stored.api_key_encrypted:
        key, source = stored.api_key(), "connections page"
    else:
        key, source = settings.SANDBOX_CRM_KEY, "sandbox"
    sandbox = source == "sandbox"
    return CrmTarget(
        api_key=key,
        api_base=settings.CRM_API_BASE
        or (f"{settings.SANDBOX_URL}/crm" if sandbox else CRM_API_BASE),
        sandbox=sandbox,
        rate_limit_per_min=settings.CRM_RATE_LIMIT_PER_MIN,
        key_source=source,
    )
