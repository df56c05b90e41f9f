"""The one place outgoing HTTP happens.

`ApiSession` insists on timeouts, sends our User-Agent, waits for the shared rate
limiter before every attempt, retries what is safe to retry, maps failures to
`errors.ApiError` subclasses, and records every call (ApiCall) and every write
(AuditEntry). Per-API client modules build on it; nothing else imports `requests`.

It knows HTTP, not vendors. How a vendor spells an error in its body, and which of
its error codes mean what whatever the status says, live in that vendor's folder,
in a subclass that overrides `read_error` and `raise_for_response` (as healthchecks'
transports override `HttpTransport.raise_for_response`).

API keys travel only in the auth headers the caller passes in. They are treated as
secrets: never logged, never recorded, and scrubbed from any text we keep. So are the
tokens of our own webhook receivers' URLs, which Add a Webhook answers with.
"""

from __future__ import annotations

import email.utils
import json
import logging
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, NoReturn, Self

import requests
from django.conf import settings
from urllib3.exceptions import ConnectTimeoutError

from klentyadmin.core.recording import record_api_call, record_audit
from klentyadmin.integrations.errors import (
    ApiAuthError,
    ApiError,
    ApiNotFound,
    ApiRateLimited,
    ApiUnavailable,
    ApiValidationError,
    service_name,
)
from klentyadmin.integrations.ratelimit import RateLimiter, limiter_for_settings
from klentyadmin.lib.hook_tokens import redact_hook_tokens

log = logging.getLogger(__name__)

USER_AGENT = "klentyadmin/0.1 (internal sales console; python-requests)"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
REDACTED = "[redacted]"


@dataclass(frozen=True)
class VendorError:
    """What a vendor's answer says went wrong, as far as its body says anything."""

    code: str | None = None
    message: str = ""


@dataclass(frozen=True)
class AuditInfo:
    """Who is writing what: passed by the client for every write."""

    actor: Any
    action: str
    target: str
    details: dict = field(default_factory=dict)


class _Retry(Exception):
    """Internal: this attempt failed in a way worth another try."""

    def __init__(self, error: ApiError, retry_after: float | None = None) -> None:
        self.error = error
        self.retry_after = retry_after


class ApiSession:
    """One account's session with one API. Subclass it per vendor to read its errors.

    `service` names the API in records and messages; a vendor's subclass sets it once.
    """

    service = ""
    # What the user can do about a 403, after the vendor's reason.
    access_hint = "Check the key on the Connections page."

    def __init__(
        self,
        *,
        service: str | None = None,
        base_url: str,
        auth_headers: Mapping[str, str],
        rate_key: str,
        per_minute: int,
        sandbox: bool = False,
        limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.service = service or self.service
        self.base_url = base_url.rstrip("/")
        self.rate_key = rate_key
        self.per_minute = per_minute
        self.sandbox = sandbox
        self.limiter = limiter if limiter is not None else limiter_for_settings()
        self.sleep = sleep
        self._secrets = [v for v in auth_headers.values() if v]
        self._http = requests.Session()
        self._http.headers.update({"User-Agent": USER_AGENT, "Accept": "application/json"})
        self._http.headers.update(auth_headers)

    @classmethod
    def for_target(
        cls, target: Any, auth_headers: Mapping[str, str], *, rate_key: str, **options: Any
    ) -> Self:
        """A session with the account a vendor's target names: its API base, its
        rate limit and whether it is the sandbox."""
        return cls(
            base_url=target.api_base,
            auth_headers=auth_headers,
            rate_key=rate_key,
            per_minute=target.rate_limit_per_min,
            sandbox=target.sandbox,
            **options,
        )

    # -- public ---------------------------------------------------------------

    def close(self) -> None:
        """Release the kept-alive connections (a long-running worker may want to)."""
        self._http.close()

    def get(self, path: str, *, endpoint: str, params: Mapping | None = None, **kw: Any) -> Any:
        return self.request("GET", path, endpoint=endpoint, params=params, **kw)

    def post(self, path: str, *, endpoint: str, json: Any = None, **kw: Any) -> Any:
        return self.request("POST", path, endpoint=endpoint, json=json, **kw)

    def request(
        self,
        method: str,
        path: str,
        *,
        endpoint: str,
        params: Mapping | None = None,
        json: Any = None,
        audit: AuditInfo | None = None,
        base_url: str | None = None,
        idempotent: bool | None = None,
    ) -> Any:
        """Send one logical call (with retries) and return the decoded JSON body.

        `endpoint` is the client method's name, as recorded. `idempotent` says a
        request that may have reached the server can be sent again; it defaults to
        True for GET only (a POST that timed out may already have been applied).
        """
        method = method.upper()
        url = (base_url or self.base_url).rstrip("/") + path
        if idempotent is None:
            idempotent = method == "GET"
        started = time.monotonic()
        attempts, status_code = 0, None
        try:
            max_attempts = settings.API_MAX_ATTEMPTS
            while True:
                attempts += 1
                status_code = None  # a connection error has no status of its own
                self.limiter.acquire(self.rate_key, self.per_minute)
                try:
                    response = self._send(method, url, params, json, endpoint, idempotent)
                    status_code = response.status_code
                    body = self._check(response, endpoint)
                    break
                except _Retry as retry:
                    if attempts >= max_attempts:
                        raise retry.error from None
                    self._wait_before_retry(retry, attempts, endpoint)
        except ApiError as exc:
            self._record(method, endpoint, status_code, started, attempts, exc, audit, None)
            raise
        self._record(method, endpoint, status_code, started, attempts, None, audit, body)
        return body

    # -- one attempt ----------------------------------------------------------

    def _send(
        self, method: str, url: str, params: Any, body: Any, endpoint: str, idempotent: bool
    ) -> requests.Response:
        timeout = (settings.API_CONNECT_TIMEOUT, settings.API_READ_TIMEOUT)
        try:
            # No redirects: requests would carry our custom key header to any host
            # a redirect names (it strips only Authorization).
            return self._http.request(
                method, url, params=params, json=body, timeout=timeout, allow_redirects=False
            )
        except requests.RequestException as exc:
            log.warning("%s %s: %s", self.service, endpoint, type(exc).__name__)
            if _never_sent(exc) or (idempotent and _transient(exc)):
                raise _Retry(self._error(ApiUnavailable, endpoint, None)) from None
            message = None
            if _transient(exc):
                # The request may have arrived and been applied: sending it again
                # could do it twice, so the user is asked to check first.
                message = (
                    f"{service_name(self.service)} did not confirm the change in time; "
                    "check whether it was made before trying again."
                )
            raise self._error(ApiUnavailable, endpoint, None, message=message) from None

    def _check(self, response: requests.Response, endpoint: str) -> Any:
        """Return the decoded body of a good answer; raise for anything else."""
        status = response.status_code
        body = _decode(response)
        vendor = self.read_error(body) if body is not _UNREADABLE else VendorError()
        code, vendor_message = vendor.code, vendor.message
        if status in RETRY_STATUSES:
            retry_after = _retry_after(response.headers.get("Retry-After"))
            if status == 429:
                error = self._error(ApiRateLimited, endpoint, status, code, retry_after=retry_after)
            else:
                error = self._error(ApiUnavailable, endpoint, status, code)
            raise _Retry(error, retry_after)
        if status == 401:
            raise self._error(ApiAuthError, endpoint, status, code)
        if status == 403:
            # The key works but not for this: the vendor's reason says which.
            reason = f": {self._redact(vendor_message).rstrip('.')}" if vendor_message else ""
            message = f"{service_name(self.service)} refused access{reason}. {self.access_hint}"
            raise self._error(ApiAuthError, endpoint, status, code, message=message)
        if body is not _UNREADABLE:
            self.raise_for_response(status, body, vendor, endpoint)
        if status == 404:
            raise self._error(ApiNotFound, endpoint, status, code, vendor_message)
        if status >= 500:
            raise self._error(ApiUnavailable, endpoint, status, code)
        if status >= 400:
            raise self._error(ApiValidationError, endpoint, status, code, vendor_message)
        if status >= 300 or body is _UNREADABLE:
            log.error("%s %s: unexpected answer, HTTP %s", self.service, endpoint, status)
            raise self._error(ApiError, endpoint, status, code)
        return body

    # -- what a vendor's subclass overrides ---------------------------------------

    def read_error(self, body: Any) -> VendorError:
        """The code and message of the error `body` describes, in the vendor's spelling.

        The shared layer knows no vendor's spelling, so it reads none.
        """
        return VendorError()

    def raise_for_response(
        self, status: int, body: Any, vendor: VendorError, endpoint: str
    ) -> None:
        """Raise for an answer whose body means more than its status says.

        Called for every decoded answer that is neither retried nor refused for its
        key; what it does not raise for is judged by its status alone (404 not found,
        5xx unavailable, other 4xx invalid). Raise with `self.raise_error`.
        """

    def raise_error(
        self, cls: type[ApiError], status: int, vendor: VendorError, endpoint: str
    ) -> NoReturn:
        """Raise `cls` for this answer, with the vendor's (redacted) words in it."""
        raise self._error(cls, endpoint, status, vendor.code, vendor.message)

    def _wait_before_retry(self, retry: _Retry, attempts: int, endpoint: str) -> None:
        if retry.retry_after is not None and retry.retry_after > settings.API_BACKOFF_CAP:
            # Too long to hold a page or a worker: tell every process to wait it
            # out, and let the caller decide when to come back.
            self.limiter.penalise(self.rate_key, retry.retry_after)
            raise retry.error
        if retry.retry_after is not None:
            delay = retry.retry_after
        else:
            # Exponential backoff with full jitter, so processes that failed
            # together do not all come back together.
            ceiling = min(settings.API_BACKOFF_CAP, settings.API_BACKOFF_BASE * 2 ** (attempts - 1))
            delay = random.uniform(0, ceiling)
        if retry.retry_after is not None or isinstance(retry.error, ApiRateLimited):
            # A 429 means the shared budget is spent: every process backs off.
            self.limiter.penalise(self.rate_key, delay)
        log.info("%s %s: retrying in %.2fs (attempt %d)", self.service, endpoint, delay, attempts)
        self.sleep(delay)

    # -- errors and records ---------------------------------------------------

    def _error(
        self,
        cls: type[ApiError],
        endpoint: str,
        status: int | None,
        code: str | None = None,
        vendor_message: str = "",
        message: str | None = None,
        **kw: Any,
    ) -> ApiError:
        if vendor_message and message is None:
            # The vendor's own words are the most useful detail for validation and
            # not-found answers, e.g. "Invalid date range".
            base = cls(service=self.service).message.rstrip(".")
            message = f"{base}: {self._redact(vendor_message).rstrip('.')}."
        return cls(
            message, service=self.service, endpoint=endpoint, status_code=status, code=code, **kw
        )

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return redact_hook_tokens(text)

    def _record(
        self,
        method: str,
        endpoint: str,
        status_code: int | None,
        started: float,
        attempts: int,
        error: ApiError | None,
        audit: AuditInfo | None,
        body: Any,
    ) -> None:
        # Duration covers the whole logical call, waits and retries included: it is
        # what the person who clicked experienced.
        error_text = ""
        if error is not None:
            error_text = self._redact(f"[{error.code}] {error}" if error.code else str(error))
        record_api_call(
            service=self.service,
            method=method,
            endpoint=endpoint,
            status_code=status_code,
            duration_ms=round((time.monotonic() - started) * 1000),
            attempts=attempts,
            error=error_text,
            sandbox=self.sandbox,
        )
        if audit is not None:
            result = error_text or self._redact(json.dumps(body, default=str))[:2000]
            record_audit(
                actor=audit.actor,
                service=self.service,
                action=audit.action,
                target=audit.target,
                details=audit.details,
                ok=error is None,
                result=result,
            )


# -- helpers -----------------------------------------------------------------

_UNREADABLE = object()  # a body that is not JSON


def _decode(response: requests.Response) -> Any:
    if not response.content:
        return None
    try:
        return response.json()
    except ValueError:
        return _UNREADABLE


def _retry_after(value: str | None) -> float | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _never_sent(exc: requests.RequestException) -> bool:
    """The connection was never made, so the server cannot have seen the request."""
    if isinstance(exc, requests.ConnectTimeout):
        return True
    reason = getattr(exc.args[0], "reason", None) if exc.args else None
    # NewConnectionError (refused, DNS) is a subclass of ConnectTimeoutError.
    return isinstance(reason, ConnectTimeoutError)


def _transient(exc: requests.RequestException) -> bool:
    return isinstance(
        exc, requests.ConnectionError | requests.Timeout | requests.exceptions.ChunkedEncodingError
    )
