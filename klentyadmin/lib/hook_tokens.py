"""Masking the tokens in our webhook receivers' URLs, wherever such a URL is shown,
stored or logged.

Neither Klenty nor Snov.io signs its deliveries, so the token in a receiver's URL is
the only credential a delivery carries: whoever reads it can post events. It is
masked to its first four characters (enough to tell two webhooks apart) in the audit
log, the API call log, the webhook pages, and every log line, by this one helper.

It knows the receivers' URL shapes, `/hooks/klenty/<token>/` (cadences/hook_urls.py)
and `/enrichment/hooks/<token>/` (enrichment/urls.py), as text rather than through
Django's URL resolver, so gunicorn's access log can use it before Django is set up;
tests/core/test_hook_tokens.py checks that the two stay in step.
"""

from __future__ import annotations

import logging
import re
from typing import Any

RECEIVER_PATH = re.compile(
    r"(?P<prefix>/hooks/klenty/|/enrichment/hooks/)(?P<token>[^/?#\s\"'<>\\]+)"
)
SHOWN = 4  # characters of a token that stay readable


def mask_token(token: str) -> str:
    return f"{token[:SHOWN]}…"


def redact_hook_tokens(text: str) -> str:
    """`text` with the token of every receiver URL (or path) in it masked."""
    if "hooks/" not in text:  # most text holds no receiver URL: skip the regex
        return text
    return RECEIVER_PATH.sub(lambda m: m["prefix"] + mask_token(m["token"]), text)


def redact_hook_tokens_in(value: Any) -> Any:
    """A JSON-like value (an audit entry's details) with every text in it redacted."""
    if isinstance(value, str):
        return redact_hook_tokens(value)
    if isinstance(value, dict):
        return {key: redact_hook_tokens_in(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [redact_hook_tokens_in(item) for item in value]
    return value


class RedactHookTokens(logging.Filter):
    """A logging filter that masks receiver tokens in the formatted message.

    On a handler it covers every record that handler writes: runserver's request
    lines (`django.server`), Django's "Not Found: /hooks/klenty/…" warnings, and
    gunicorn's access and error logs (gunicorn.conf.py)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact_hook_tokens(message)
        if redacted != message:
            record.msg, record.args = redacted, None
        return True
