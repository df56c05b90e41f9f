"""Whether a URL we hand to a vendor points inside our own network.

Klenty (and the sandbox in its place) POSTs every event to the URL a webhook names; a
URL on loopback, link-local (the cloud metadata service at 169.254.169.254), a private
range or the unspecified address would turn it into a way to reach hosts that are not
meant to be reachable from outside. Literal addresses are checked as they are; host
names are resolved and refused if any of their addresses is internal. A name that does
not resolve here is left to the vendor, which resolves it on its own network.
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def kind_of_internal(address: Address) -> str:
    """What kind of internal address this is ("a loopback address"), or "" for a public one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address.is_loopback:
        return "a loopback address"
    if address.is_link_local:
        return "a link-local address"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_private:
        return "a private address"
    if address.is_multicast or not address.is_global:
        return "a reserved address"
    return ""


def addresses_of(host: str) -> list[Address]:
    try:
        return [ipaddress.ip_address(host)]
    except ValueError:
        pass
    # "localhost" and its subdomains are loopback by definition (RFC 6761), whatever
    # this machine's resolver says about "localhost." or "app.localhost".
    if host == "localhost" or host.endswith(".localhost"):
        return [ipaddress.ip_address("127.0.0.1")]
    try:
        found = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    # An IPv6 answer may carry a zone ("fe80::1%eth0"): the address is before it.
    return [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]


def internal_target(url: str) -> str:
    """Why `url` points inside the network ("127.0.0.1 is a loopback address"), or ""."""
    try:
        host = (urlsplit(url).hostname or "").rstrip(".")
    except ValueError:
        return ""  # not a URL: the URL field refuses it
    for address in addresses_of(host):
        kind = kind_of_internal(address)
        if kind:
            shown = host if host == str(address) else f"{host} ({address})"
            return f"{shown} is {kind}"
    return ""
