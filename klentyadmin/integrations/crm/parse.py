"""Normalisation: the only code that reads the CRM's payloads.

The doc leaves shapes open in places (`phoneNumbers` has no stated type, ids are
numbers in the samples, a lead status colour is free text); the `parse_*`
functions here settle each of them, and no code outside this folder sees a raw
CRM payload.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from klentyadmin.integrations.crm.types import (
    DEFAULT_COLOR,
    LEAD_STATUS_TYPES,
    Contact,
    CurrentUser,
    LeadStatus,
)
from klentyadmin.integrations.values import iso_timestamp
from klentyadmin.integrations.values import text as _text

_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})(?:[0-9a-fA-F]{2})?")


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
