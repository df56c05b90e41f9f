"""Reading Klenty request input: typed fields, emails, dates, tags, custom fields.

Anything malformed becomes a 400 in Klenty's error shape: K2002 for dates,
K2001 (the sandbox's own code) for the rest, K2003 for records not found.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

from sandbox.server import ApiError

EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+'-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
DAY_RE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
MAX_TEXT = 2000


def bad(message: str) -> ApiError:
    return ApiError(400, "K2001", message)


def bad_date(message: str) -> ApiError:
    return ApiError(400, "K2002", message)


def not_found(message: str = "No record found") -> ApiError:
    return ApiError(404, "K2003", message)


def text(body: dict[str, Any], key: str, *, required: bool = False) -> str | None:
    """A string field of a body: None when absent, a 400 when of the wrong type."""
    value = body.get(key)
    if value is None or (required and value == ""):
        if required:
            raise bad(f"{key} is required")
        return None
    if not isinstance(value, str):
        raise bad(f"{key} must be a string")
    if len(value) > MAX_TEXT:
        raise bad(f"{key} is longer than {MAX_TEXT} characters")
    return value.strip()


def valid_email(value: str) -> str:
    if not EMAIL_RE.match(value) or ".." in value:
        raise bad(f"invalid email: {value[:100]}")
    return value.lower()


def parse_when(value: Any, name: str) -> tuple[float, bool]:
    """A date (yyyy-mm-dd, yyyy/mm/dd, unpadded too) or an ISO timestamp, in UTC.

    Returns the timestamp and whether it was a whole day.
    """
    if not isinstance(value, str) or not value.strip():
        raise bad_date(f"{name} is required (yyyy-mm-dd)")
    value = value.strip()
    try:
        match = DAY_RE.match(value)
        if match:
            year, month, day = (int(part) for part in match.groups())
            return datetime(year, month, day, tzinfo=UTC).timestamp(), True
        moment = datetime.fromisoformat(value)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        return moment.timestamp(), False
    except (ValueError, OverflowError):
        raise bad_date(f"{name} is not a valid date: {value[:40]}") from None


def int_param(query: dict[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = query.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad(f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise bad(f"{name} must be from {low} to {high}")
    return value


def split_tags(value: Any, key: str, separator: str) -> list[str]:
    """Tags as "A|B" (or "A,B" for removeTags) or as a list of strings."""
    if isinstance(value, str):
        parts = value.split(separator)
    elif isinstance(value, list) and all(isinstance(part, str) for part in value):
        parts = value
    else:
        raise bad(f"{key} must be a string or a list of strings")
    return [part.strip() for part in parts if part.strip()]


def custom_fields(value: Any) -> dict[str, str]:
    if not isinstance(value, list):
        raise bad('CustomFields must be a list of {"key": ..., "value": ...}')
    fields = {}
    for item in value:
        if not isinstance(item, dict) or not isinstance(item.get("key"), str):
            raise bad('CustomFields must be a list of {"key": ..., "value": ...}')
        field_value = item.get("value")
        if isinstance(field_value, bool) or not isinstance(field_value, str | int | float | None):
            raise bad(f"CustomFields value of {item['key']} must be a string or a number")
        fields[item["key"].strip()] = "" if field_value is None else str(field_value)
    return fields
