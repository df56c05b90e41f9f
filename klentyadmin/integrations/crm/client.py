"""The contacts CRM (Skarbe) API: one method per documented endpoint, typed results.

Doc sections are named as in connect-crm-api.txt. Payloads are read by `parse`
into the dataclasses of `types`; errors are read by `session.CrmSession`.
"""

from __future__ import annotations

from typing import Any

from klentyadmin.integrations.crm.parse import (
    parse_contacts,
    parse_created_contact,
    parse_current_user,
    parse_lead_statuses,
)
from klentyadmin.integrations.crm.session import CrmSession
from klentyadmin.integrations.crm.target import CrmTarget, crm_target
from klentyadmin.integrations.crm.types import (
    AUTH_HEADER,
    CONTACTS_PATH,
    LEAD_STATUSES_PATH,
    ME_PATH,
    SERVICE,
    Contact,
    ContactFields,
    CurrentUser,
    LeadStatus,
)
from klentyadmin.integrations.errors import ApiValidationError
from klentyadmin.integrations.http import ApiSession, AuditInfo
from klentyadmin.integrations.values import rate_limit_key as account_rate_limit_key
from klentyadmin.integrations.values import text as _text

# -- the client --------------------------------------------------------------


class CrmClient:
    """The contacts CRM, as the workspace of the configured key sees it.

    Writes are recorded in the audit log under `actor`. Everything that fails
    raises an `errors.ApiError` subclass; a 400 is an `ApiValidationError`
    carrying the CRM's own words ("Invalid email").
    """

    def __init__(
        self, target: CrmTarget, *, actor: Any = None, session: ApiSession | None = None
    ) -> None:
        self.target = target
        self.actor = actor
        self.session = session or CrmSession.for_target(
            target, {AUTH_HEADER: target.api_key}, rate_key=rate_limit_key(target)
        )

    @classmethod
    def from_settings(cls, actor: Any = None) -> CrmClient:
        return cls(crm_target(), actor=actor)

    def search_contacts(self, query: str = "") -> list[Contact]:
        # "Contacts → Get Contacts": `query` filters by first name, last name or email.
        params = {"query": query.strip()} if query and query.strip() else None
        body = self.session.get(CONTACTS_PATH, endpoint="search_contacts", params=params)
        return parse_contacts(body)

    def find_contact_by_email(self, email: str) -> Contact | None:
        """The contact whose email is exactly `email` (any case), via Get Contacts:
        the search also matches parts of names and other emails."""
        wanted = _text(email).lower()
        if not wanted:
            return None
        for contact in self.search_contacts(wanted):
            if contact.email == wanted:
                return contact
        return None

    def create_contact(self, fields: ContactFields) -> Contact:
        # "Contacts → Create Contact". The CRM checks the rest (email format, lead
        # status) and answers 400 with its reason, which the caller shows.
        if not fields.email.strip() and not fields.first_name.strip():
            raise ApiValidationError(
                "The contacts CRM needs an email or a first name.",
                service=SERVICE,
                endpoint="create_contact",
            )
        payload = fields.to_payload()
        target = fields.email.strip() or fields.first_name.strip()
        audit = AuditInfo(
            actor=self.actor, action="create_contact", target=target, details={"payload": payload}
        )
        body = self.session.post(
            CONTACTS_PATH, endpoint="create_contact", json=payload, audit=audit
        )
        return parse_created_contact(body)

    def get_lead_statuses(self) -> list[LeadStatus]:
        # "Lead Statuses → Get Lead Statuses", sorted by their `order`.
        body = self.session.get(LEAD_STATUSES_PATH, endpoint="get_lead_statuses")
        return parse_lead_statuses(body)

    def get_current_user(self) -> CurrentUser:
        # "User Information → Get Current User": also the cheap call that tests a key.
        return parse_current_user(self.session.get(ME_PATH, endpoint="get_current_user"))


def rate_limit_key(target: CrmTarget) -> str:
    """One budget per CRM workspace key."""
    return account_rate_limit_key(SERVICE, target.api_base, target.api_key)
