"""How the contacts CRM says what went wrong: `{"error": "..."}`, with the status
meaning what it says (400 invalid, 401 bad key, 404 unknown)."""

from __future__ import annotations

from typing import Any

from klentyadmin.integrations.crm.types import SERVICE
from klentyadmin.integrations.http import ApiSession, VendorError


class CrmSession(ApiSession):
    service = SERVICE
    access_hint = "Check the key on the CRM settings page."

    def read_error(self, body: Any) -> VendorError:
        if not isinstance(body, dict):
            return VendorError()
        return VendorError(None, str(body.get("error") or body.get("message") or ""))
