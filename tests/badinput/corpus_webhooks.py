"""Bad webhook bodies for both receivers. Klenty's are the 80 of
tests/cadences/malformed_bodies.py; Snov.io's are those of them that are not a
storable JSON object, and a few of its own."""

from __future__ import annotations

import json

from tests.badinput.harness import Case
from tests.cadences.malformed_bodies import CASES as KLENTY_BODIES
from tests.cadences.malformed_bodies import GOOD, JSON

KLENTY = [
    Case(
        f"klenty hook: {name}",
        "anon",
        "post",
        "hooks:klenty",
        kwargs={"token": "token-one"},
        data=body,
        content_type=content_type,
    )
    for name, body, content_type in KLENTY_BODIES
] + [
    Case(
        "klenty hook: unknown token",
        "anon",
        "post",
        "hooks:klenty",
        kwargs={"token": "no-such-token"},
        data=GOOD.encode(),
        content_type=JSON,
    ),
    Case(
        "klenty hook: token with SQL",
        "anon",
        "post",
        "hooks:klenty",
        kwargs={"token": "' OR '1'='1"},
        data=GOOD.encode(),
        content_type=JSON,
    ),
    Case("klenty hook: GET", "anon", "get", "hooks:klenty", kwargs={"token": "token-one"}),
    Case(
        "klenty hook: a signed-in admin's form post",
        "admin",
        "post",
        "hooks:klenty",
        kwargs={"token": "token-one"},
        data={"email": "ada@lovelace.example"},
    ),
]


def _refuse(constant: str) -> None:
    raise ValueError(constant)


def _has_unstorable_text(value) -> bool:
    # Every text of the value, keys included, is in its JSON spelling.
    text = json.dumps(value, ensure_ascii=False)
    return "\\u0000" in text or any(0xD800 <= ord(c) <= 0xDFFF for c in text)


def is_storable_object(body: bytes) -> bool:
    """What the Snov.io receiver may store: UTF-8 without a byte order mark, a JSON
    object, no NaN, and no text a JSON column cannot hold."""
    if body.startswith(b"\xef\xbb\xbf"):
        return False
    try:
        value = json.loads(body.decode("utf-8"), parse_constant=_refuse)
    except (ValueError, RecursionError):
        return False
    return isinstance(value, dict) and not _has_unstorable_text(value)


def snov(name: str, body: bytes, token: str = "snov-token-one", method: str = "post") -> Case:
    return Case(
        f"snov hook: {name}",
        "anon",
        method,
        "enrichment:hook",
        kwargs={"token": token},
        data=body if method == "post" else None,
        content_type=JSON,
    )


SNOV_OWN = [
    snov("unknown token", b'{"event": "campaign_email.opened"}', token="no-such-token"),
    snov("GET", b"", method="get"),
    snov("body over 256 KB", b'{"event": "x", "pad": "' + b"p" * 262_144 + b'"}'),
    snov("NaN deep inside", b'{"event": "campaign_email.opened", "data": {"score": NaN}}'),
    snov("NUL escape inside", b'{"data": {"recipient": {"email": "a\\u0000@b.example"}}}'),
    snov("lone surrogate in a key", b'{"\\ud800": 1}'),
    snov("lone surrogate deep inside", b'{"data": [{"x": ["\\udfff"]}]}'),
    snov("object nested 5,000 deep", b'{"a":' * 5_000 + b"1" + b"}" * 5_000),
    snov("UTF-16 encoded object", '{"event": "campaign_email.opened"}'.encode("utf-16")),
]
SNOV = [
    snov(name, body) for name, body, _ in KLENTY_BODIES if not is_storable_object(body)
] + SNOV_OWN

CASES = KLENTY + SNOV
