"""Which Snov.io account the dashboard uses: the environment's client id and secret,
then the ones an Admin entered on the Snov.io settings page, then the embedded
sandbox's."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from klentyadmin.core.connections import stored_connection
from klentyadmin.core.models import Service

SNOV_API_BASE = "https://api.snov.io"


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
