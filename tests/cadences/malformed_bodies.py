"""Deliveries the receiver must refuse with a 4xx and never store.

Each case is (name, body bytes, Content-Type). `valid()` is a well-formed body
to start from, so each case breaks exactly one thing.
"""

from __future__ import annotations

import json
from typing import Any

JSON = "application/json"
LIMIT = 64 * 1024  # settings.WEBHOOK_MAX_BODY_BYTES by default


def valid(**changes: Any) -> dict[str, Any]:
    body = {
        "event": "open",
        "email": "ada@lovelace.example",
        "fullName": "Ada Lovelace",
        "cadenceName": "New Leads",
        "prospectOwner": "priya.natarajan@northwind.example",
        "list": "Webinar",
        "tags": "paid,new",
    }
    for key, value in changes.items():
        if value is ...:
            body.pop(key, None)
        else:
            body[key] = value
    return body


def encoded(**changes: Any) -> bytes:
    return json.dumps(valid(**changes)).encode()


def raw_json(text: str) -> bytes:
    return text.encode("utf-8", "surrogatepass")


GOOD = json.dumps(valid())

CASES: list[tuple[str, bytes, str]] = [
    # Not JSON at all
    ("empty body", b"", JSON),
    ("only whitespace", b"  \n\t ", JSON),
    ("plain text", b"hello klenty", JSON),
    ("xml", b"<event><email>ada@lovelace.example</email></event>", JSON),
    ("form encoded", b"email=ada%40lovelace.example&event=open", JSON),
    ("truncated object", GOOD[:-5].encode(), JSON),
    ("unclosed brace", b"{", JSON),
    ("closing brace only", b"}", JSON),
    ("single quotes", b"{'email': 'ada@lovelace.example', 'event': 'open'}", JSON),
    ("trailing comma", GOOD[:-1].encode() + b",}", JSON),
    ("missing value", b'{"email": }', JSON),
    ("comment inside", b'{"email": "ada@lovelace.example" /* hi */}', JSON),
    ("two objects", (GOOD + GOOD).encode(), JSON),
    ("NaN value", b'{"email": "ada@lovelace.example", "event": "open", "x": NaN}', JSON),
    ("Infinity value", b'{"email": "ada@lovelace.example", "event": "open", "x": Infinity}', JSON),
    ("-Infinity value", b'{"email": "ada@lovelace.example", "x": -Infinity}', JSON),
    # JSON, but not an object
    ("null", b"null", JSON),
    ("true", b"true", JSON),
    ("number", b"42", JSON),
    ("string", b'"ada@lovelace.example"', JSON),
    ("empty array", b"[]", JSON),
    ("array of a delivery", f"[{GOOD}]".encode(), JSON),
    ("empty object", b"{}", JSON),
    # Wrong or missing fields
    ("no email", encoded(email=...), JSON),
    ("email null", encoded(email=None), JSON),
    ("email empty", encoded(email=""), JSON),
    ("email a number", encoded(email=12345), JSON),
    ("email a list", encoded(email=["ada@lovelace.example"]), JSON),
    ("email an object", encoded(email={"value": "ada@lovelace.example"}), JSON),
    ("email not an address", encoded(email="ada at lovelace"), JSON),
    ("email with a space", encoded(email="ada love@lovelace.example"), JSON),
    ("email too long", encoded(email="a" * 250 + "@lovelace.example"), JSON),
    ("event unknown", encoded(event="bounce"), JSON),
    ("event a number", encoded(event=7), JSON),
    ("event a list", encoded(event=["open"]), JSON),
    ("event true", encoded(event=True), JSON),
    ("cadenceName a number", encoded(cadenceName=3), JSON),
    ("cadenceName an object", encoded(cadenceName={"name": "New Leads"}), JSON),
    ("fullName a list", encoded(fullName=["Ada", "Lovelace"]), JSON),
    ("prospectOwner a number", encoded(prospectOwner=1), JSON),
    ("prospectOwner not an email", encoded(prospectOwner="priya"), JSON),
    ("cadenceOwner not an email", encoded(cadenceOwner="morgan"), JSON),
    ("list a boolean", encoded(list=False), JSON),
    ("tags a number", encoded(tags=5), JSON),
    ("tags a list of numbers", encoded(tags=[1, 2]), JSON),
    ("tags an object", encoded(tags={"a": 1}), JSON),
    ("timestamp a number", encoded(timestamp=1700000000), JSON),
    ("timestamp not a time", encoded(timestamp="yesterday"), JSON),
    ("timestamp impossible date", encoded(timestamp="2026-13-45T10:00:00Z"), JSON),
    ("firstName a number", encoded(firstName=1), JSON),
    ("company a list", encoded(company=["Analytical"]), JSON),
    ("email a huge number", b'{"email": 1e999999, "event": "open"}', JSON),
    # Too big
    ("body over the limit", encoded(fullName="x" * (LIMIT + 10)), JSON),
    ("whitespace over the limit", b" " * (LIMIT + 1) + GOOD.encode(), JSON),
    ("fullName too long", encoded(fullName="x" * 301), JSON),
    ("cadenceName too long", encoded(cadenceName="c" * 10_000), JSON),
    ("tags too long", encoded(tags="t," * 1500), JSON),
    ("nested too deep", b"[" * 30_000 + b"]" * 30_000, JSON),
    ("object nested too deep", b'{"a":' * 5_000 + b"1" + b"}" * 5_000, JSON),
    # Wrong content type
    ("text/plain", GOOD.encode(), "text/plain"),
    ("form content type", GOOD.encode(), "application/x-www-form-urlencoded"),
    ("multipart content type", GOOD.encode(), "multipart/form-data; boundary=x"),
    ("no content type", GOOD.encode(), ""),
    ("latin-1 charset", GOOD.encode(), "application/json; charset=latin-1"),
    ("utf-16 charset", GOOD.encode("utf-16"), "application/json; charset=utf-16"),
    ("text/json", GOOD.encode(), "text/json"),
    ("application/jsonp", GOOD.encode(), "application/jsonp"),
    # Unicode edge cases
    ("invalid utf-8 bytes", b'{"email": "\xff\xfe@lovelace.example"}', JSON),
    (
        "latin-1 encoded body",
        json.dumps(valid(fullName="Zoë"), ensure_ascii=False).encode("latin-1"),
        JSON,
    ),
    ("utf-16 encoded body", GOOD.encode("utf-16"), JSON),
    ("utf-8 byte order mark", b"\xef\xbb\xbf" + GOOD.encode(), JSON),
    ("overlong utf-8", b'{"email": "ada\xc0\xaf@lovelace.example"}', JSON),
    (
        "encoded surrogate bytes",
        b'{"email": "ada@lovelace.example", "fullName": "\xed\xa0\x80"}',
        JSON,
    ),
    (
        "lone surrogate escape in fullName",
        raw_json(GOOD.replace("Ada Lovelace", "Ada \\ud800")),
        JSON,
    ),
    ("lone surrogate escape in email", raw_json(GOOD.replace("ada@", "ada\\udfff@")), JSON),
    ("NUL escape in cadenceName", raw_json(GOOD.replace("New Leads", "New\\u0000Leads")), JSON),
    ("raw NUL byte", GOOD.encode().replace(b"Webinar", b"Web\x00inar"), JSON),
    ("right-to-left override in email", encoded(email="ada\u202e@lovelace.example"), JSON),
    ("zero-width space in email", encoded(email="ada\u200b@lovelace.example"), JSON),
    ("emoji instead of an email", encoded(email="🦄"), JSON),
]
