"""How Klenty says what went wrong: its error codes and its 200 that is a refusal.

Klenty answers errors as `{"status": false, "errors": [{"code", "errorMessage"}]}`,
sometimes with HTTP 200 and sometimes with 400 whatever the error is, so its codes
say more than its statuses.
"""

from __future__ import annotations

from typing import Any

from klentyadmin.integrations.errors import ApiNotFound, ApiValidationError
from klentyadmin.integrations.http import ApiSession, VendorError
from klentyadmin.integrations.klenty.types import SERVICE

# "No record found": a search that matched nothing, or an unknown prospect or list.
NOT_FOUND_CODES = frozenset({"K2003"})
# Klenty's "invalid input", e.g. a date range it does not take.
VALIDATION_CODES = frozenset({"K2002"})


class KlentySession(ApiSession):
    service = SERVICE
    # A 403 is most often a team member this key's team does not have.
    access_hint = "Check the key and the team members on the Connections page."

    def read_error(self, body: Any) -> VendorError:
        if not isinstance(body, dict):
            return VendorError()
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            first = errors[0]
            code = first.get("code")
            message = first.get("errorMessage") or first.get("message") or ""
            return VendorError(str(code) if code else None, str(message))
        return VendorError(None, str(body.get("message") or body.get("error") or ""))

    def raise_for_response(
        self, status: int, body: Any, vendor: VendorError, endpoint: str
    ) -> None:
        if vendor.code in NOT_FOUND_CODES:
            self.raise_error(ApiNotFound, status, vendor, endpoint)
        # A 4xx or 5xx is judged by its status; a 2xx may still be a refusal.
        refused = vendor.code in VALIDATION_CODES or _says_failed(body)
        if status < 400 and refused:
            self.raise_error(ApiValidationError, status, vendor, endpoint)


def _says_failed(body: Any) -> bool:
    # Klenty sometimes answers 200 with `"status": false`.
    return isinstance(body, dict) and body.get("status") is False
