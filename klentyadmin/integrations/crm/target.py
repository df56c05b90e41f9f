"""Which contacts CRM the dashboard talks to, and with what key: the environment,
then the key an Admin entered on the CRM settings page, then the embedded sandbox."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from klentyadmin.core.connections import stored_connection
from klentyadmin.core.models import Service

CRM_API_BASE = "https://api.skarbe.com"


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
