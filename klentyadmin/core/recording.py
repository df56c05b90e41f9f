"""Where the integration layer writes down what it did: API health and the audit log.

The HTTP layer calls these for every request (ApiCall) and every write (AuditEntry),
so no caller can forget. A failure to record must never break the call itself.
Managers read both logs, so the tokens of our webhook receivers' URLs (a credential)
are masked in everything recorded, whoever the caller.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from klentyadmin.core.models import ApiCall, AuditEntry
from klentyadmin.lib.hook_tokens import redact_hook_tokens, redact_hook_tokens_in

log = logging.getLogger(__name__)

# The audit entries written while a `collecting_audit_entries` block runs: how a caller
# that knows more than the HTTP layer (an edit's before and after values) adds it to
# the entries its writes made.
_collected: ContextVar[list[AuditEntry] | None] = ContextVar("collected_audit", default=None)


@contextmanager
def collecting_audit_entries() -> Iterator[list[AuditEntry]]:
    written: list[AuditEntry] = []
    token = _collected.set(written)
    try:
        yield written
    finally:
        _collected.reset(token)


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
            endpoint=redact_hook_tokens(endpoint)[:200],
            status_code=status_code,
            duration_ms=duration_ms,
            attempts=attempts,
            error=redact_hook_tokens(error),
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
        entry = AuditEntry.objects.create(
            actor=actor_obj,
            actor_name=getattr(actor, "username", "") or (str(actor) if actor else ""),
            service=service,
            action=action,
            target=redact_hook_tokens(target)[:255],
            details=redact_hook_tokens_in(details),
            ok=ok,
            result=redact_hook_tokens(result),
        )
    except Exception:
        log.exception("could not write audit entry %s %s", service, action)
        return
    collected = _collected.get()
    if collected is not None:
        collected.append(entry)
