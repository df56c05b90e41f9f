"""How Snov.io says what went wrong, including the refusals it answers with HTTP 200.

Errors come as `{"success": false, "message": "..."}`, with a 4xx status or with
200 (a prospect not found yet, a recipient status it will not change); some writes
wrap their answer in a one-element array.
"""

from __future__ import annotations

from typing import Any

from klentyadmin.integrations.errors import ApiError, ApiValidationError
from klentyadmin.integrations.http import ApiSession, VendorError
from klentyadmin.integrations.snov.parse import _unwrap
from klentyadmin.integrations.snov.types import SERVICE
from klentyadmin.integrations.values import text as _text


class SnovStillWorking(ApiError):
    """An async task did not complete within the bounded wait."""

    retryable = True

    def default_message(self, name: str) -> str:
        return f"{name} is still working on it; try again in a minute."


class SnovSession(ApiSession):
    service = SERVICE
    access_hint = "Check the client id and secret on the Snov.io settings page."

    def read_error(self, body: Any) -> VendorError:
        body = _unwrap(body)
        if not isinstance(body, dict):
            return VendorError()
        return VendorError(
            None, _text(body.get("message") or body.get("error") or body.get("errors"))
        )

    def raise_for_response(
        self, status: int, body: Any, vendor: VendorError, endpoint: str
    ) -> None:
        body = _unwrap(body)
        if status < 400 and isinstance(body, dict) and body.get("success") is False:
            self.raise_error(ApiValidationError, status, vendor, endpoint)
