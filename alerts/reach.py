"""Whether a webhook URL typed in a rule can be used: public (unless allowed) and
answering. Checked when the rule is saved, so an unreachable URL is a field error
then, not a failed notification at the first firing."""

from __future__ import annotations

import socket
from urllib.parse import urlsplit

from django.conf import settings

from klentyadmin.lib.internal_hosts import internal_target

CONNECT_TIMEOUT = 3.0


def webhook_problem(url: str) -> str:
    """Why `url` cannot take alerts, or "" when it can. Opens a TCP connection to
    its host and port; sends nothing (a test message on every save would be noise)."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "Enter an http:// or https:// webhook URL."
    if parts.scheme == "http" and not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS:
        return "The webhook URL must start with https:// (it carries a secret)."
    if not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS and (internal := internal_target(url)):
        return f"{internal}, inside this network: alerts go to public addresses only."
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError:
        return "The webhook URL's port is not a number."
    try:
        with socket.create_connection((parts.hostname, port), timeout=CONNECT_TIMEOUT):
            pass
    except OSError:
        return f"Nothing answers at {parts.hostname}:{port}; check the webhook URL."
    return ""
