"""What the contacts CRM (Skarbe) answers and what we send it, in our spelling.

Doc sections are named as in connect-crm-api.txt (with NOTES.md: base URL
`https://api.skarbe.com`, the `X-Api-Key` header, errors as `{"error": "..."}`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from klentyadmin.integrations.values import person_name

SERVICE = "crm"
AUTH_HEADER = "X-Api-Key"
CONTACTS_PATH = "/api/connect/contacts"
LEAD_STATUSES_PATH = "/api/connect/contacts/lead-statuses"
ME_PATH = "/api/connect/me"
# A badge needs a colour even when the CRM sends none (or something that is not one).
DEFAULT_COLOR = "#6B7280"
LEAD_STATUS_TYPES = ("lead", "qualified", "disqualified")


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
        name = person_name(self.full_name, self.first_name, self.last_name, self.email)
        return name or f"Contact {self.id}"


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
