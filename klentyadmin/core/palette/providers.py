"""What the palette offers: pages, prospects and actions, each checked against the role.

PROVIDERS is the hook: a function `(user, typed) -> list[Entry]` appended here is
asked on every palette request. A provider returns only entries the user may open,
and runs a fixed number of queries whatever the data size.
"""

from __future__ import annotations

from collections.abc import Callable
from html import unescape

from django.urls import reverse

from klentyadmin.core.navigation import NAV
from klentyadmin.core.palette.entries import Entry, matches, url_if_allowed, words
from prospects.search import ProspectSearch

PROSPECT_LIMIT = 8
MIN_PROSPECT_CHARS = 2

# Pages beyond the top bar's, with the words people may type for them. Each is
# offered only to the roles its view lets in.
MORE_PAGES = [
    ("Sync status", "prospects:sync_status", "Klenty prospect sync"),
    ("System", "system", "connection worker cache plumbing"),
    ("Add prospects to a cadence", "cadences:add_search", "cadences"),
    ("Report emails", "reporting:emails", "subscriptions schedule"),
    ("Report pulls", "reporting:pulls", "reports refresh"),
    ("Experiments", "reporting:experiments", "reports A/B test significance"),
    ("Outcome funnel", "reporting:funnel", "reports conversion added contacted meetings"),
    ("Deliverability", "reporting:deliverability", "reports bounces unsubscribes capacity"),
    ("When people answer", "reporting:answer_times", "reports heatmap opens replies hours"),
    ("Time zone", "time_zone", "settings profile timezone"),
    ("Email finder", "enrichment:finder", "Snov.io"),
    ("Email verifier", "enrichment:verifier", "Snov.io verify"),
    ("Snov.io campaigns", "enrichment:campaigns", "enrichment"),
    ("Snov.io webhooks", "enrichment:webhooks", "enrichment hooks"),
    ("Snov.io settings", "enrichment:settings", "connection key"),
    ("Snov.io lists", "enrichment:lists", "enrichment prospect lists"),
    ("Do-not-email list", "enrichment:do_not_email", "Snov.io block unsubscribe"),
    ("Alert history", "alerts:history", "notifications firings"),
    ("CRM transfers", "contacts:transfers", "contacts pushes imports"),
    ("Push prospects to the CRM", "contacts:push_choose", "contacts"),
    ("CRM settings", "contacts:settings", "contacts connection key"),
    ("Two-factor sign-in", "mfa_index", "security 2fa"),
    ("Your sessions", "usersessions_list", "security devices"),
    ("Change password", "password_change", "security"),
]

ACTIONS = [
    ("New prospect", "prospects:create", "add create"),
    ("Import CSV", "prospects:import", "upload prospects"),
    ("New alert rule", "alerts:create", "alerts notify"),
    ("Bulk jobs", "prospects:jobs", "jobs progress"),
    ("Export prospects as CSV", "prospects:export", "download"),
]


def pages(user, typed: str) -> list[Entry]:
    found = []
    for label, url_name, keywords in [(i.label, i.url_name, "") for i in NAV] + MORE_PAGES:
        url = url_if_allowed(user, url_name)
        if url and matches(words(typed), label, keywords):
            found.append(Entry("Page", label, url, keywords))
    return found


def actions(user, typed: str) -> list[Entry]:
    found = []
    for label, url_name, keywords in ACTIONS:
        url = url_if_allowed(user, url_name)
        if url and matches(words(typed), label, keywords):
            found.append(Entry("Action", label, url))
    if matches(words(typed), "Sign out", "log out logout"):
        found.append(Entry("Action", "Sign out", reverse("logout"), method="post"))
    return found


def prospects(user, typed: str) -> list[Entry]:
    """Prospects by name or email, through the prospects search itself: the same
    words, the same index, the same planning for broad searches (a page is found by
    walking the sort index when many match) and the same scoping (a Rep finds only
    their own)."""
    if len(typed.strip()) < MIN_PROSPECT_CHARS or not words(typed):
        return []
    rows = ProspectSearch(q=typed).results(user).rows[:PROSPECT_LIMIT]
    # A results row is escaped for HTML; the palette sends plain text to textContent.
    return [
        Entry(
            "Prospect",
            unescape(row.name),
            row.url,
            f"{row.email} · {row.company}" if row.company else row.email,
        )
        for row in rows
    ]


# The order is the palette's order: what was typed most likely names a prospect.
PROVIDERS: list[Callable[..., list[Entry]]] = [prospects, actions, pages]


def results_for(user, typed: str) -> list[Entry]:
    """What every provider finds, in PROVIDERS order; a place offered twice (the
    "Import CSV" action is the menu's "Import" page) is listed once, the first time."""
    typed, seen, found = typed[:200], set(), []
    for provider in PROVIDERS:
        for entry in provider(user, typed):
            if (entry.url, entry.method) not in seen:
                seen.add((entry.url, entry.method))
                found.append(entry)
    return found


# `g` then a letter: where it goes. Offered (and listed under `?`) only where the
# role may open the page.
GO_TO = [
    ("h", "Home", "home"),
    ("p", "Prospects", "prospects:search"),
    ("c", "Cadences", "cadences:list"),
    ("r", "Reports", "reporting:dashboard"),
]


def go_to_for(user) -> list[dict]:
    found = []
    for key, label, url_name in GO_TO:
        url = url_if_allowed(user, url_name)
        if url:
            found.append({"key": key, "label": label, "url": url})
    return found
