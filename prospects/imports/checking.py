"""Checking rows: one outcome per data row (ready, invalid, duplicate in the file,
already in Klenty), with the ProspectFields keywords of every ready row."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from prospects.imports.mapping import CUSTOM, EMAIL, FIELD_LABELS, IGNORE, LIST, OWNER, TAGS
from prospects.imports.reading import CsvRow, ParsedCsv
from prospects.models import Prospect, ProspectList
from prospects.owners import DUPLICATE_FOR_MANAGERS
from prospects.tags import split_tags

READY = "ready"
INVALID = "invalid"
DUPLICATE = "duplicate"
EXISTS = "exists"
STATUS_LABELS = {
    READY: "Ready to import",
    INVALID: "Invalid",
    DUPLICATE: "Duplicate in the file",
    EXISTS: "Already in Klenty",
}


def _max_length(model, name: str) -> int:
    return model._meta.get_field(name).max_length


# Limits are the cache's columns: a prospect Klenty took must also fit here.
MAX_LENGTHS = {
    name: _max_length(Prospect, "owner_email" if name == OWNER else name)
    for name in FIELD_LABELS
    if name not in {TAGS, LIST}
}
MAX_LENGTHS[LIST] = _max_length(ProspectList, "name")
MAX_TAGS_LENGTH = _max_length(Prospect, "tags_text")
# Klenty documents no limit for custom values; its API refuses text over 2,000 characters.
MAX_CUSTOM_LENGTH = 2000
MAX_CUSTOM_NAME_LENGTH = 255


@dataclass(frozen=True)
class ImportOptions:
    mapping: list[str]
    list_name: str = ""
    extra_tags: tuple[str, ...] = ()
    # A Rep's rows all belong to the Rep: `forced_owner` replaces any Owner column
    # (an empty string means the Rep is not linked to a Klenty team member).
    owner_forced: bool = False
    forced_owner: str = ""
    team_emails: frozenset[str] | None = None  # None: team unknown, owners not checked
    existing_emails: frozenset[str] = frozenset()  # already in the cache
    exists_reason: str = DUPLICATE_FOR_MANAGERS  # worded for the viewer: see owners.py


@dataclass(frozen=True)
class RowOutcome:
    number: int
    email: str
    status: str
    reason: str = ""
    fields: dict[str, Any] = field(default_factory=dict)  # ProspectFields keywords, if ready

    @property
    def label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


def _merge_tags(*groups: Iterable[str]) -> list[str]:
    seen: set[str] = set()
    merged = []
    for tag in (t for group in groups for t in group):
        if tag.lower() not in seen:
            seen.add(tag.lower())
            merged.append(tag)
    return merged


def _cell(row: CsvRow, i: int) -> str:
    return row.cells[i].strip() if i < len(row.cells) else ""


def _row_values(row: CsvRow, headers: tuple[str, ...], mapping: list[str]):
    values: dict[str, str] = {}
    tags: list[str] = []
    custom: dict[str, str] = {}
    for i, header in enumerate(headers):
        target = mapping[i] if i < len(mapping) else IGNORE
        value = _cell(row, i)
        if not value or target == IGNORE:
            continue
        if target == TAGS:
            tags += split_tags(value)
        elif target == CUSTOM:
            custom[header] = value
        elif target in FIELD_LABELS:
            values[target] = value
    return values, tags, custom


def _is_email(value: str) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def _shown(value: str, limit: int = 60) -> str:
    return repr(value if len(value) <= limit else value[:limit] + "…")


def _field_problems(values: dict[str, str], tags: list[str], custom: dict[str, str]) -> list[str]:
    problems = []
    for name, value in values.items():
        limit = MAX_LENGTHS.get(name)
        if limit and len(value) > limit:
            problems.append(f"{FIELD_LABELS[name]} is longer than {limit} characters.")
    if tags and len("|" + "|".join(tags) + "|") > MAX_TAGS_LENGTH:
        problems.append(f"The tags come to more than {MAX_TAGS_LENGTH} characters.")
    for name, value in custom.items():
        if len(name) > MAX_CUSTOM_NAME_LENGTH:
            problems.append(f"The custom field name {_shown(name)} is too long.")
        if len(value) > MAX_CUSTOM_LENGTH:
            problems.append(f"Custom field {name} is longer than {MAX_CUSTOM_LENGTH} characters.")
    return problems


def _owner_problem(owner: str, options: ImportOptions) -> str:
    if options.owner_forced and not owner:
        return "Your account is not linked to a Klenty team member, so the row has no owner."
    if not owner:
        return ""
    if not _is_email(owner):
        return f"Owner {_shown(owner)} is not an email address."
    if options.team_emails is not None and owner not in options.team_emails:
        return f"Owner {owner} is not a member of the Klenty team."
    return ""


def check_row(
    row: CsvRow, headers: tuple[str, ...], options: ImportOptions, seen: dict[str, int]
) -> RowOutcome:
    """One row's outcome. `seen` (email → first row) is updated as rows go by."""
    width = len(headers)
    if any(cell.strip() for cell in row.cells[width:]):
        return RowOutcome(
            row.number,
            _cell(row, options.mapping.index(EMAIL)).lower() if EMAIL in options.mapping else "",
            INVALID,
            f"The row has {len(row.cells)} cells but the header has {width}; "
            "check the separator and the quotes.",
        )
    values, tags, custom = _row_values(row, headers, options.mapping)
    email = values.pop(EMAIL, "").lower()
    if not email:
        return RowOutcome(row.number, "", INVALID, "No email address.")
    if not _is_email(email):
        return RowOutcome(row.number, email, INVALID, f"{_shown(email)} is not a valid email.")
    if email in seen:
        return RowOutcome(row.number, email, DUPLICATE, f"Same email as row {seen[email]}.")
    seen[email] = row.number
    if email in options.existing_emails:
        return RowOutcome(row.number, email, EXISTS, options.exists_reason)
    owner = options.forced_owner if options.owner_forced else values.get(OWNER, "")
    values[OWNER] = owner.lower()
    values[LIST] = values.get(LIST) or options.list_name
    tags = _merge_tags(tags, options.extra_tags)
    problems = [_owner_problem(values[OWNER], options), *_field_problems(values, tags, custom)]
    problems = [p for p in problems if p]
    if len(email) > MAX_LENGTHS[EMAIL]:
        problems.insert(0, f"Email is longer than {MAX_LENGTHS[EMAIL]} characters.")
    if problems:
        return RowOutcome(row.number, email, INVALID, " ".join(problems))
    payload = {"email": email, **{k: v for k, v in values.items() if v}}
    if tags:
        payload["tags"] = tags
    if custom:
        payload["custom_fields"] = custom
    return RowOutcome(row.number, email, READY, fields=payload)


def check_rows(parsed: ParsedCsv, options: ImportOptions) -> list[RowOutcome]:
    """Exactly one outcome per data row, in file order. Never raises on bad data."""
    seen: dict[str, int] = {}
    return [check_row(row, parsed.headers, options, seen) for row in parsed.rows]


def emails_in(parsed: ParsedCsv, mapping: list[str]) -> set[str]:
    """The file's email values, for asking the cache which it already holds."""
    if EMAIL not in mapping:
        return set()
    column = mapping.index(EMAIL)
    return {_cell(row, column).lower() for row in parsed.rows if _cell(row, column)}


def count_by_status(outcomes: Iterable[RowOutcome]) -> dict[str, int]:
    counts = Counter(o.status for o in outcomes)
    return {status: counts.get(status, 0) for status in STATUS_LABELS}
