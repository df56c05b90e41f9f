"""Before and after values of every change we make to a prospect.

Each write to Klenty is already an audit entry (the HTTP layer makes it). What the
HTTP layer cannot know is what the write changed, so every edit path (the edit form,
each bulk action) runs its write and its cache update inside `recording_changes`,
which compares the cache row before and after and adds the differences to the
first successful audit entry the block wrote, as `details["changes"]`:
`[{"field": "title", "label": "Title", "before": "CTO", "after": "CEO"}, ...]`.
The prospect's timeline reads them back from there.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from klentyadmin.core.models import AuditEntry
from klentyadmin.core.recording import collecting_audit_entries
from prospects.models import Prospect

# Every field a person edits or an action changes, with the words the detail page uses.
FIELD_LABELS = {
    "first_name": "First name",
    "middle_name": "Middle name",
    "last_name": "Last name",
    "full_name": "Full name",
    "title": "Title",
    "department": "Department",
    "phone": "Phone",
    "twitter_id": "Twitter",
    "linkedin_url": "LinkedIn",
    "location": "Location",
    "city": "City",
    "country": "Country",
    "company": "Company",
    "company_domain": "Domain",
    "account": "Account",
    "company_phone": "Company phone",
    "company_email": "Company email",
    "owner_email": "Owner",
    "list": "List",
    "prospect_status": "Prospect status",
    "cadence_status": "Cadence status",
    "cadence_name": "Cadence",
    "outcome": "Outcome",
    "tags": "Tags",
    "custom_fields": "Custom fields",
}


def snapshot(prospect: Prospect) -> dict[str, Any]:
    """The prospect's edited fields as plain values (the list by name)."""
    values = {
        name: getattr(prospect, name) for name in FIELD_LABELS if name not in {"list", "tags"}
    }
    values["tags"] = list(prospect.tags)
    values["custom_fields"] = dict(prospect.custom_fields)
    values["list"] = prospect.prospect_list.name if prospect.prospect_list_id else ""
    return values


def shown(value: Any) -> str:
    """A value as the timeline and the audit log show it."""
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else str(value)


def changes_between(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, str]]:
    """One row per field whose value differs, in the detail page's order."""
    return [
        {
            "field": name,
            "label": label,
            "before": shown(before.get(name)),
            "after": shown(after.get(name)),
        }
        for name, label in FIELD_LABELS.items()
        if before.get(name) != after.get(name)
    ]


@contextmanager
def recording_changes(prospect: Prospect, *, via: dict[str, Any] | None = None) -> Iterator[None]:
    """Runs an edit's writes and cache update, then records what changed on the first
    successful audit entry they wrote. `via` says which bulk job made it, if one did.

    Recorded even when the block fails part-way (Klenty took the first write, refused
    the second): the entry then says what the first write changed.
    """
    before = snapshot(prospect)
    with collecting_audit_entries() as written:
        try:
            yield
        finally:
            entry = next((e for e in written if e.ok), None)
            changes = changes_between(before, snapshot(prospect)) if entry else []
            if entry and changes:
                details = {**entry.details, "changes": changes}
                if via:
                    details["via"] = via
                AuditEntry.objects.filter(pk=entry.pk).update(details=details)
                entry.details = details
