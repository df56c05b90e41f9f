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
    NavItem("Prospects", "prospects:search"),
    NavItem("Views", "saved_views:list"),
    NavItem("Import", "prospects:import"),
    NavItem("Bulk jobs", "prospects:jobs"),
    NavItem("Cadences", "cadences:list"),
    NavItem("Activity", "cadences:feed"),
    NavItem("Reports", "reporting:dashboard"),
    NavItem("Scorecards", "reporting:scorecards"),
    NavItem("Enrichment", "enrichment:domain_search"),
    NavItem("Contacts", "contacts:list"),
    NavItem("Duplicates", "dedupe:pairs"),
    NavItem("Webhooks", "cadences:webhooks", admins_only=True),
    NavItem("Alerts", "alerts:rules", managers_only=True),
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
        items.append({"label": item.label, "url": reverse(item.url_name), "active": False})
    # The active item is the one whose URL is the longest prefix of the path, so
    # /cadences/activity/ lights "Activity", not "Cadences".
    matches = [
        i for i in items if path == i["url"] or (i["url"] != "/" and path.startswith(i["url"]))
    ]
    if matches:
        max(matches, key=lambda i: len(i["url"]))["active"] = True
    return items
