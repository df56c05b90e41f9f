"""Bad webhook bodies for both receivers. Klenty's are the 80 of
tests/cadences/malformed_bodies.py; Snov.io's are those of them that are not a
storable JSON object, and a few of its own.

Also what a well-formed body must not do (issue 14): an event posted to another
event's hook is refused, and a replay of a stored event, however spelled and to
whichever hook of its event, is answered 200 and stores nothing."""

from __future__ import annotations

import json

from tests.badinput.harness import TOLERATED, Case
from tests.cadences.malformed_bodies import CASES as KLENTY_BODIES
from tests.cadences.malformed_bodies import GOOD, JSON, encoded, valid

# Deliveries the world (conftest.py) has stored already, one per receiver.
KLENTY_STORED = encoded(timestamp="2026-11-22T10:00:00.000Z")
SNOV_STORED = json.dumps(
    {
        "event": "campaign_email.opened",
        "event_datetime": "2026-12-03 12:00:00",
        "data": {"campaign": {"id": 7}, "recipient": {"email": "ada@lovelace.example"}},
    }
).encode()


def respelled(body: bytes) -> bytes:
    """The same JSON with other whitespace and the keys in another order."""
    value = json.loads(body)
    return json.dumps(dict(reversed(value.items())), indent="\t").encode()


def klenty(name: str, body: bytes, token: str = "token-one", **options) -> Case:
    return Case(
        f"klenty hook: {name}",
        "anon",
        "post",
        "hooks:klenty",
        kwargs={"token": token},
        data=body,
        content_type=JSON,
        **options,
    )


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
    # token-one is the open hook: its token must not unsubscribe (or bounce) anyone.
    klenty(
        "an unsubscribe to the open hook",
        encoded(event="unsubscribe"),
        watch=("prospects.Prospect", "@rep_prospect"),
    ),
    klenty(
        "a bounce to the open hook",
        json.dumps(valid(event="onMailBounce")).encode(),
        watch=("prospects.Prospect", "@rep_prospect"),
    ),
    klenty("a stored event again", KLENTY_STORED, expect=TOLERATED),
    klenty("a stored event re-spelled", respelled(KLENTY_STORED), expect=TOLERATED),
    klenty("a stored event at another open hook", KLENTY_STORED, "token-two", expect=TOLERATED),
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


def snov(
    name: str, body: bytes, token: str = "snov-token-one", method: str = "post", **options
) -> Case:
    return Case(
        f"snov hook: {name}",
        "anon",
        method,
        "enrichment:hook",
        kwargs={"token": token},
        data=body if method == "post" else None,
        content_type=JSON,
        **options,
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
    snov("a stored event again", SNOV_STORED, expect=TOLERATED),
    snov("a stored event re-spelled", respelled(SNOV_STORED), expect=TOLERATED),
]
SNOV = [
    snov(name, body) for name, body, _ in KLENTY_BODIES if not is_storable_object(body)
] + SNOV_OWN

CASES = KLENTY + SNOV
