"""Readers for the sign-in settings (OpenID Connect, two-factor), used by settings.py.

Plain Python: settings.py runs before Django is set up, so the role names are spelt
here and a test checks them against `Role`.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

ROLE_NAMES = ("admin", "manager", "rep")


def parse_roles(name: str, roles: list[str]) -> list[str]:
    unknown = [role for role in roles if role not in ROLE_NAMES]
    if unknown:
        raise ImproperlyConfigured(
            f"{name} may name only {', '.join(ROLE_NAMES)}, not {', '.join(unknown)}"
        )
    return roles


def parse_role_map(name: str, raw: str) -> dict[str, str]:
    """ "klenty-admins=admin,sales-reps=rep" -> {"klenty-admins": "admin", ...}."""
    mapping: dict[str, str] = {}
    for pair in (part.strip() for part in raw.split(",")):
        if not pair:
            continue
        group, sep, role = (piece.strip() for piece in pair.rpartition("="))
        if not sep or not group:
            raise ImproperlyConfigured(f"{name} must look like group=role,group=role, not {raw!r}")
        mapping[group] = parse_roles(name, [role])[0]
    return mapping


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def oidc_provider_settings(
    *, provider_id: str, name: str, server_url: str, client_id: str, secret: str, scopes: list[str]
) -> dict:
    """allauth's SOCIALACCOUNT_PROVIDERS: one app when OIDC_SERVER_URL is set, none otherwise."""
    apps = []
    if server_url:
        apps = [_oidc_app(provider_id, name, server_url, client_id, secret)]
    return {"openid_connect": {"SCOPE": scopes, "OAUTH_PKCE_ENABLED": True, "APPS": apps}}


def _oidc_app(provider_id: str, name: str, server_url: str, client_id: str, secret: str) -> dict:
    if not client_id or not secret:
        raise ImproperlyConfigured("OIDC_SERVER_URL needs OIDC_CLIENT_ID and OIDC_CLIENT_SECRET")
    return {
        "provider_id": provider_id,
        "name": name,
        "client_id": client_id,
        "secret": secret,
        "settings": {"server_url": server_url},
    }
