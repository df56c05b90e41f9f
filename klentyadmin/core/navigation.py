"""The main navigation: what each role sees in the top bar."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: str
    url_name: str
    managers_only: bool = False
    admins_only: bool = False


NAV = [
    NavItem("Home", "home"),
    NavItem("Audit log", "audit_log", managers_only=True),
    NavItem("API health", "api_health", admins_only=True),
    NavItem("Settings", "connections", admins_only=True),
]


def nav_items_for(user, path: str) -> list[dict]:
    items = []
    for item in NAV:
        if item.admins_only and not user.is_admin:
            continue
        if item.managers_only and not user.is_manager_or_admin:
            continue
        url = reverse(item.url_name)
        active = path == url if url == "/" else path.startswith(url)
        items.append({"label": item.label, "url": url, "active": active})
    return items
