"""Lenient readers for vendor payload values, shared by every client module.

Vendors send numbers as strings, nulls where the docs promise text, and lists
where they promise strings; these turn what came into what we store, and never
raise.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from typing import Any


def text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def integer(value: Any) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError):
        return 0


def number(value: Any) -> float:
    """A float from 12, "12.5" or "12.5%"."""
    try:
        return float(str(value).rstrip("%").strip())
    except (TypeError, ValueError):
        return 0.0


def items(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else []


def mapping(value: Any) -> dict:
    return value if isinstance(value, dict) else {}


def iso_timestamp(value: Any) -> datetime | None:
    """ISO timestamps such as "2023-10-09T20:16:10.000Z" → an aware UTC datetime."""
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(text(value))
        except ValueError:
            return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def rate_limit_key(service: str, api_base: str, secret: str) -> str:
    """One budget per account: the base URL and a digest of its secret, so the
    secret itself never reaches a file name or a Redis key."""
    digest = hashlib.sha256(f"{api_base}|{secret}".encode()).hexdigest()
    return f"{service}-{digest[:24]}"


def person_name(full_name: str, first_name: str, last_name: str, email: str) -> str:
    """What to call a person (a Klenty prospect, a CRM contact): the full name, else
    first and last, else the email; "" if there is none of them."""
    return full_name or " ".join(p for p in (first_name, last_name) if p) or email
