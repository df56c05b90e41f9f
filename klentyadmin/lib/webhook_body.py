"""Reading the body of a webhook delivery, the same way for every vendor's receiver.

Neither Klenty nor Snov.io signs its deliveries, so a receiver trusts nothing in a
body: it is read up to a size limit (refused unread when it says it is larger), and
must be UTF-8 text holding one JSON object with no NaN or Infinity. What is refused
is refused with a reason and the HTTP status to answer with, never a 500.
"""

from __future__ import annotations

import json
import re
from typing import Any

from django.http import HttpRequest

JSON_MEDIA_TYPES = {"application/json"}
# NUL cannot be stored in a PostgreSQL text column; lone surrogates cannot be encoded.
UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class Refused(Exception):
    """A delivery we will not store; `status` is the HTTP answer, str() the reason."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.status = status


def check_content_type(content_type: str) -> None:
    """Refuses (415) a body not declared as JSON in UTF-8."""
    media_type, _, params = content_type.partition(";")
    if media_type.strip().lower() not in JSON_MEDIA_TYPES:
        raise Refused("Send the body as application/json.", status=415)
    charset = re.search(r"charset\s*=\s*\"?([\w-]+)", params, re.IGNORECASE)
    if charset and charset.group(1).lower().replace("_", "-") not in {"utf-8", "utf8"}:
        raise Refused("Send the body encoded as UTF-8.", status=415)


def declared_length(request: HttpRequest) -> int | None:
    raw = request.META.get("CONTENT_LENGTH") or ""
    if not raw:
        return None
    if not raw.isdigit():
        raise Refused("Content-Length is not a number.")
    return int(raw)


def read_body(request: HttpRequest, limit: int) -> bytes:
    """The body, refused unread when it says it is too large, and cut off when it lies."""
    length = declared_length(request)
    if length is not None and length > limit:
        raise Refused(f"The body is larger than {limit} bytes.", status=413)
    raw = request.read(limit + 1)
    if len(raw) > limit:
        raise Refused(f"The body is larger than {limit} bytes.", status=413)
    return raw


def _reject_constant(name: str) -> None:
    raise ValueError(f"{name} is not JSON")


def decode_json_object(raw: bytes) -> tuple[str, dict[str, Any]]:
    """The body as text and as a JSON object, or Refused."""
    if not raw.strip():
        raise Refused("The body is empty.")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused("The body is not valid UTF-8.") from None
    if text.startswith("\ufeff") or UNSTORABLE.search(text):
        raise Refused("The body holds characters that cannot be stored.")
    try:
        body = json.loads(text, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        raise Refused("The body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise Refused("The body must be a JSON object.")
    return text, body
