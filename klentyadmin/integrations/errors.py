"""What can go wrong when we call an external API, in words a sales manager can act on.

Every failure of an outgoing call surfaces as one of these, never as a `requests`
exception, so views and tasks catch `ApiError` (or a subclass) and show `str(e)`.
Messages never contain an API key: the HTTP layer builds them from fixed sentences
and redacts the vendor's text before it gets here.
"""

from __future__ import annotations

SERVICE_NAMES = {
    "klenty": "Klenty",
    "snov": "Snov.io",
    "crm": "The contacts CRM",
    "slack": "The Slack webhook",
}


def service_name(service: str) -> str:
    return SERVICE_NAMES.get(service, service)


class ApiError(Exception):
    """An outgoing API call failed. `str(e)` is the sentence to show the user."""

    retryable = False

    def __init__(
        self,
        message: str | None = None,
        *,
        service: str = "",
        endpoint: str = "",
        status_code: int | None = None,
        code: str | None = None,
        retryable: bool | None = None,
    ) -> None:
        self.service = service
        self.endpoint = endpoint
        self.status_code = status_code
        self.code = code
        self.message = message or self.default_message(service_name(service))
        if retryable is not None:
            self.retryable = retryable
        super().__init__(self.message)

    def default_message(self, name: str) -> str:
        return f"{name} sent an answer we could not understand; please tell an Admin."

    def __str__(self) -> str:
        return self.message


class ApiAuthError(ApiError):
    """401/403: the key is wrong, revoked, or lacks the permission."""

    def default_message(self, name: str) -> str:
        return f"{name} rejected the API key. Check it on the Connections page."


class ApiNotFound(ApiError):
    """404, or a vendor's code for "no record found" (read in its session)."""

    def default_message(self, name: str) -> str:
        return f"{name} found no matching record."


class ApiValidationError(ApiError):
    """The request was refused as invalid (400, other 4xx, or a vendor's refusal
    code), or failed our own checks before it was sent."""

    def default_message(self, name: str) -> str:
        return f"{name} did not accept the request."


class ApiRateLimited(ApiError):
    """429 still answered after our retries (or a Retry-After too long to wait out)."""

    retryable = True

    def __init__(self, message: str | None = None, *, retry_after: float | None = None, **kw):
        self.retry_after = retry_after
        super().__init__(message, **kw)

    def default_message(self, name: str) -> str:
        if self.retry_after:
            return f"{name} asked us to slow down; try again in {self.retry_after:.0f} seconds."
        return f"{name} asked us to slow down; try again in a minute."


class ApiUnavailable(ApiError):
    """5xx, connection errors and timeouts: nothing the user did wrong."""

    retryable = True

    def default_message(self, name: str) -> str:
        return f"{name} is not answering right now; try again in a minute."
