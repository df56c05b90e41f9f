"""Where the integration layer writes down what it did: API health and the audit log.

The HTTP layer calls these for every request (ApiCall) and every write (AuditEntry),
so no caller can forget. A failure to record must never break the call itself.
"""

from __future__ import annotations

import logging
from typing import Any

from klentyadmin.core.models import ApiCall, AuditEntry

log = logging.getLogger(__name__)


def record_api_call(
    *,
    service: str,
    method: str,
    endpoint: str,
    status_code: int | None,
    duration_ms: int,
    attempts: int,
    error: str,
    sandbox: bool,
) -> None:
    try:
        ApiCall.objects.create(
            service=service,
            method=method,
            endpoint=endpoint[:200],
            status_code=status_code,
            duration_ms=duration_ms,
            attempts=attempts,
            error=error,
            sandbox=sandbox,
        )
    except Exception:  # recording is best effort; the API call already happened
        log.exception("could not record API call %s %s", service, endpoint)


def record_audit(
    *,
    actor: Any,
    service: str,
    action: str,
    target: str,
    details: dict,
    ok: bool,
    result: str,
) -> None:
    actor_obj = actor if getattr(actor, "pk", None) else None
    try:
        AuditEntry.objects.create(
            actor=actor_obj,
            actor_name=getattr(actor, "username", "") or (str(actor) if actor else ""),
            service=service,
            action=action,
            target=target[:255],
            details=details,
            ok=ok,
            result=result,
        )
    except Exception:
        log.exception("could not write audit entry %s %s", service, action)
