"""The contacts CRM (Skarbe) API: one method per documented endpoint, typed results.

Doc sections are named as in connect-crm-api.txt (with NOTES.md: base URL
`https://api.skarbe.com`, the `X-Api-Key` header, errors as `{"error": "..."}`).
The doc leaves shapes open in places (`phoneNumbers` has no stated type, ids are
numbers in the samples, a lead status colour is free text); the `parse_*`
functions below settle each of them here, and no code outside this module sees a
raw CRM payload.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from klentyadmin.core.connections import CrmTarget, crm_target
from klentyadmin.integrations.errors import ApiValidationError
from klentyadmin.integrations.http import ApiSession, AuditInfo
from klentyadmin.integrations.values import iso_timestamp
from klentyadmin.integrations.values import rate_limit_key as account_rate_limit_key
from klentyadmin.integrations.values import text as _text

SERVICE = "crm"
AUTH_HEADER = "X-Api-Key"
CONTACTS_PATH = "/api/connect/contacts"
LEAD_STATUSES_PATH = "/api/connect/contacts/lead-statuses"
ME_PATH = "/api/connect/me"
# A badge needs a colour even when the CRM sends none (or something that is not one).
DEFAULT_COLOR = "#6B7280"
LEAD_STATUS_TYPES = ("lead", "qualified", "disqualified")
_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})(?:[0-9a-fA-F]{2})?")


# -- results -----------------------------------------------------------------


@dataclass(frozen=True)
class LeadStatus:
    id: int
    label: str
    color: str  # always "#RRGGBB": safe to put in a style attribute
    type: str = ""  # lead, qualified or disqualified; only Get Lead Statuses says
    order: int = 0

    @property
    def ink(self) -> str:
        """A text colour readable on `color` (WCAG relative luminance)."""
        r, g, b = (int(self.color[i : i + 2], 16) / 255 for i in (1, 3, 5))

        def linear(c: float) -> float:
            return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

        luminance = 0.2126 * linear(r) + 0.7152 * linear(g) + 0.0722 * linear(b)
        return "#1d2433" if luminance > 0.36 else "#ffffff"


@dataclass(frozen=True, kw_only=True)
class Contact:
    id: str = ""
    email: str = ""
    photo: str = ""
    first_name: str = ""
    last_name: str = ""
    full_name: str = ""
    job_title: str = ""
    company_name: str = ""
    phone_numbers: list[str] = field(default_factory=list)
    facebook_url: str = ""
    instagram_url: str = ""
    linkedin_url: str = ""
    note: str = ""
    last_activity_at: datetime | None = None
    created_at: datetime | None = None
    lead_status: LeadStatus | None = None

    @property
    def display_name(self) -> str:
        return (
            self.full_name
            or " ".join(p for p in (self.first_name, self.last_name) if p)
            or self.email
            or f"Contact {self.id}"
        )


@dataclass(frozen=True)
class CurrentUser:
    name: str
    email: str
    workspace: str


# -- what we send ------------------------------------------------------------

# Our field name -> the CRM's key in Create Contact ("Available fields").
PAYLOAD_KEYS = {
    "email": "email",
    "first_name": "firstName",
    "last_name": "lastName",
    "job_title": "jobTitle",
    "company_name": "companyName",
    "phone_numbers": "phoneNumbers",
    "facebook_url": "facebookUrl",
    "instagram_url": "instagramUrl",
    "linkedin_url": "linkedinUrl",
    "twitter_url": "twitterUrl",
    "note": "note",
}


@dataclass
class ContactFields:
    """Every input Create Contact documents, in our spelling."""

    email: str = ""
    first_name: str = ""
    last_name: str = ""
    job_title: str = ""
    company_name: str = ""
    phone_numbers: list[str] = field(default_factory=list)
    facebook_url: str = ""
    instagram_url: str = ""
    linkedin_url: str = ""
    twitter_url: str = ""
    note: str = ""
    lead_status_id: int | None = None

    def to_payload(self) -> dict[str, Any]:
        """The CRM's camelCase body, with only the fields that have a value."""
        payload: dict[str, Any] = {}
        for name, key in PAYLOAD_KEYS.items():
            value = getattr(self, name)
            if isinstance(value, list):
                value = [v.strip() for v in value if v and v.strip()]
            else:
                value = value.strip()
            if value:
                payload[key] = value
        if self.lead_status_id is not None:
            payload["leadStatus"] = self.lead_status_id
        return payload


# -- normalisation: the only code that reads the CRM's payloads ----------------


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


def _id(value: Any) -> str:
    """Ids are numbers in the samples; kept as text so a string id also works."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return _text(value)


def parse_color(value: Any) -> str:
    """ "#3B82F6", "3b82f6", "#abc" or "#3B82F6FF" -> "#3B82F6"; anything else the default.

    Only a hex colour survives: the value goes into a style attribute.
    """
    match = _HEX.fullmatch(_text(value))
    if not match:
        return DEFAULT_COLOR
    digits = match.group(1)
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return "#" + digits.upper()


def parse_timestamp(value: Any) -> datetime | None:
    return iso_timestamp(value) if _text(value) else None


def parse_phone_numbers(value: Any) -> list[str]:
    """The doc gives no type: a string (maybe comma-separated), a list of strings,
    or a list of objects such as {"number": ...} / {"phoneNumber": ...}."""
    if value is None:
        return []
    items = value if isinstance(value, list | tuple) else re.split(r"[,;]", str(value))
    numbers = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("number") or item.get("phoneNumber") or item.get("value")
        number = _text(item)
        if number and number not in numbers:
            numbers.append(number)
    return numbers


def parse_lead_status(raw: Any) -> LeadStatus | None:
    if not isinstance(raw, dict):
        return None
    status_id = _int(raw.get("id"))
    if status_id is None:
        return None
    status_type = _text(raw.get("type")).lower()
    return LeadStatus(
        id=status_id,
        label=_text(raw.get("label")) or f"Status {status_id}",
        color=parse_color(raw.get("color")),
        type=status_type if status_type in LEAD_STATUS_TYPES else "",
        order=_int(raw.get("order")) or 0,
    )


def parse_lead_statuses(body: Any) -> list[LeadStatus]:
    statuses = [s for s in (parse_lead_status(r) for r in _records(body)) if s]
    return sorted(statuses, key=lambda s: (s.order, s.id))


def parse_contact(raw: dict) -> Contact:
    first, last = _text(raw.get("firstName")), _text(raw.get("lastName"))
    return Contact(
        id=_id(raw.get("id")),
        email=_text(raw.get("email")).lower(),
        photo=_text(raw.get("photo")),
        first_name=first,
        last_name=last,
        full_name=_text(raw.get("fullName")) or " ".join(p for p in (first, last) if p),
        job_title=_text(raw.get("jobTitle")),
        company_name=_text(raw.get("companyName")),
        phone_numbers=parse_phone_numbers(raw.get("phoneNumbers")),
        facebook_url=_text(raw.get("facebookUrl")),
        instagram_url=_text(raw.get("instagramUrl")),
        linkedin_url=_text(raw.get("linkedinUrl")),
        note=_text(raw.get("note")),
        last_activity_at=parse_timestamp(raw.get("lastActivityAt")),
        created_at=parse_timestamp(raw.get("createdAt")),
        lead_status=parse_lead_status(raw.get("leadStatus")),
    )


def parse_contacts(body: Any) -> list[Contact]:
    return [parse_contact(r) for r in _records(body)]


def parse_created_contact(body: Any) -> Contact:
    records = _records(body)
    return parse_contact(records[0]) if records else Contact()


def parse_current_user(body: Any) -> CurrentUser:
    body = body if isinstance(body, dict) else {}
    details = body.get("details") if isinstance(body.get("details"), dict) else {}
    workspace = body.get("workspace") if isinstance(body.get("workspace"), dict) else {}
    return CurrentUser(
        name=_text(details.get("name")),
        email=_text(details.get("email")),
        workspace=_text(workspace.get("name")),
    )


def _records(body: Any) -> list[dict]:
    """A bare array as documented; an object holding one (`data`, `contacts`,
    `leadStatuses`) or a single object are read too."""
    if isinstance(body, dict):
        for key in ("data", "contacts", "leadStatuses", "results"):
            if isinstance(body.get(key), list):
                body = body[key]
                break
        else:
            return [body]
    if not isinstance(body, list):
        return []
    return [item for item in body if isinstance(item, dict)]


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
        self.session = session or ApiSession(
            service=SERVICE,
            base_url=target.api_base,
            auth_headers={AUTH_HEADER: target.api_key},
            rate_key=rate_limit_key(target),
            per_minute=target.rate_limit_per_min,
            sandbox=target.sandbox,
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
    return account_rate_limit_key("crm", target.api_base, target.api_key)
