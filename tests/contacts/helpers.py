"""Shared steps of the contacts tests."""

from __future__ import annotations

import urllib.parse

from prospects.models import Prospect


def crm_contacts(sandbox, email: str = "") -> list[dict]:
    """The CRM sandbox's contacts (all, or those with `email`), from its control API."""
    query = f"?email={urllib.parse.quote(email)}" if email else ""
    return sandbox._call("GET", f"crm/contacts{query}")["contacts"]


def klenty_emails(sandbox) -> set[str]:
    found = set()
    for status in ("Not Contacted", "In Cadence", "Completed", "Replied", "Paused"):
        found |= {p["email"] for p in sandbox.find_prospects(status=status, limit=1000)}
    return found


def cache(email: str, owner: str, **fields) -> Prospect:
    first, _, rest = email.partition("@")[0].partition(".")
    defaults = {
        "first_name": first.title(),
        "last_name": rest.title(),
        "company": "Acme",
        "title": "CTO",
        "owner_email": owner,
    }
    return Prospect.objects.create(email=email, **{**defaults, **fields})
