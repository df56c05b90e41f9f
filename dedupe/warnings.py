"""Near-duplicate warnings for what is about to be added (CSV import, Send to Klenty).

Exact emails are refused elsewhere (prospects/owners.py); these are the near misses of
dedupe/rules.py: the same Gmail address written otherwise, or the same name and
company. They warn and do not refuse: a near match may be another person.

A Rep is warned only about their own prospects. A colleague's prospect is never
named, and never hinted at either, so the warning is no oracle for who else has
whom (as `duplicate_refusal` is none for exact emails). Managers and Admins are also
warned about the CRM's contacts from the last look.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.db.models import Q

from dedupe.models import DedupeKey, Source
from dedupe.rules import email_key, name_key

CHUNK = 400  # keys per query, well below SQLite's limit on parameters


@dataclass(frozen=True)
class Incoming:
    email: str
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    label: str = ""  # how a warning names it: "row 4"

    @property
    def keys(self) -> tuple[str, str]:
        return email_key(self.email), name_key(self.first_name, self.last_name, self.company)


def _known(viewer, email_keys: list[str], name_keys: list[str]) -> list[DedupeKey]:
    if viewer.is_manager_or_admin:
        visible = DedupeKey.objects.all()
    elif viewer.klenty_email:
        visible = DedupeKey.objects.filter(
            source=Source.KLENTY, prospect__owner_email=viewer.klenty_email
        )
    else:
        return []
    found: list[DedupeKey] = []
    for start in range(0, max(len(email_keys), len(name_keys)), CHUNK):
        e, n = email_keys[start : start + CHUNK], name_keys[start : start + CHUNK]
        found += visible.filter(Q(email_key__in=e) | Q(name_key__in=n)).order_by("source", "id")
    return found


def _why(same_email: bool) -> str:
    return "the same Gmail address" if same_email else "the same name and company"


def near_duplicates(viewer, people: Sequence[Incoming]) -> list[str]:
    """Per person, a warning ("" for none): who they look like, and why."""
    keyed = [p.keys for p in people]
    email_keys = sorted({e for e, _ in keyed if e})
    name_keys = sorted({n for _, n in keyed if n})
    by_email: dict[str, DedupeKey] = {}
    by_name: dict[str, DedupeKey] = {}
    for key in _known(viewer, email_keys, name_keys):
        if key.email_key:
            by_email.setdefault(key.email_key, key)
        if key.name_key:
            by_name.setdefault(key.name_key, key)
    warnings = []
    first_seen: dict[str, tuple[str, str]] = {}  # key → (label, email)
    for number, (person, (ek, nk)) in enumerate(zip(people, keyed, strict=True), start=1):
        email = person.email.strip().lower()
        match = by_email.get(ek) if ek else None
        same_email = match is not None and match.email.lower() != email
        if not same_email:
            match = by_name.get(nk) if nk else None
        if match is not None and match.email.lower() == email:
            match = None  # the same email: refused or linked, not a near miss
        if match is not None:
            where = "in Klenty" if match.source == Source.KLENTY else "in the CRM"
            warnings.append(
                f"Looks like {match.name} <{match.email}>, already {where}: {_why(same_email)}."
            )
            continue
        seen_email = first_seen.get(ek) if ek else None
        if seen_email and seen_email[1] != email:
            warnings.append(f"Looks like {seen_email[0]} here: the same Gmail address.")
        elif nk and nk in first_seen and first_seen[nk][1] != email:
            warnings.append(f"Looks like {first_seen[nk][0]} here: the same name and company.")
        else:
            warnings.append("")
        for k in (ek, nk):
            if k:
                first_seen.setdefault(k, (person.label or f"entry {number}", email))
    return warnings


def warnings_for_rows(viewer, outcomes) -> list[tuple[int, str, str]]:
    """For the import preview: (row number, email, warning) of the ready rows that
    look like someone already there (or like an earlier row)."""
    people = [
        Incoming(
            email=o.email,
            first_name=o.fields.get("first_name", ""),
            last_name=o.fields.get("last_name", ""),
            company=o.fields.get("company", ""),
            label=f"row {o.number}",
        )
        for o in outcomes
    ]
    found = near_duplicates(viewer, people)
    return [(o.number, o.email, w) for o, w in zip(outcomes, found, strict=True) if w]
