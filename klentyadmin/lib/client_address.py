"""The address a request came from, seen through the trusted proxies in front of us.

Behind the README's TLS proxy every request arrives from the proxy's address, so
django-axes, which locks out a username per address, would let anyone lock any username
out for everyone. Each proxy appends the address it was called from to
X-Forwarded-For; with TRUSTED_PROXY_COUNT proxies in front, the client is the entry that
many places from the right. Entries further left are whatever the client sent and are
never believed. With no trusted proxy (the default) only REMOTE_ADDR counts.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    count = settings.TRUSTED_PROXY_COUNT
    if count <= 0:
        return remote
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    if len(forwarded) < count:
        return remote  # not through every proxy: a request made to us directly
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
