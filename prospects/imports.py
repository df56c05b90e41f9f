"""CSV import: reading a spreadsheet export, mapping its columns to Klenty's
prospect fields, and checking every row before anything is sent.

Parsing and validation are pure functions. They take bytes, a column mapping and
what the dashboard already knows (the emails in the cache, the team) and return
rows and problems; bad input never raises, so no file can break a page. The
storage of an upload between the wizard's steps sits at the bottom: one CSV file
and one JSON sidecar per upload under VAR_DIR/imports, named by a random token.

Decisions the Klenty docs leave open:
- Bulk Add documents no required field but the email (its sample rows carry
  FirstName, and "Create Prospects" is the only endpoint whose examples always
  do), and Klenty answers per row, so a row without a first name is still sent.
- Outcome is not offered as a column: Klenty documents it for Update only, and
  its values are case-sensitive names set up in each account.
- Unknown headers default to "ignore": spreadsheets carry working columns (notes,
  scores, internal ids) that should not silently become Klenty custom fields, and
  the mapping step shows every column, so keeping one is a single choice.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
import os
import re
import secrets
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from klentyadmin.core.connections import klenty_target
from klentyadmin.integrations.klenty import ProspectFields
from prospects.bulk import create_import_job
from prospects.models import BulkJobItem, Prospect, ProspectList

# -- reading the file -----------------------------------------------------------

MAX_COLUMNS = 200  # well under Django's DATA_UPLOAD_MAX_NUMBER_FIELDS for the mapping form
DELIMITERS = (",", ";", "\t")
DELIMITER_NAMES = {",": "comma", ";": "semicolon", "\t": "tab"}
BINARY_SAMPLE = 8192
# Share of control characters above which decoded text is taken for a binary file.
BINARY_CONTROL_SHARE = 0.02


@dataclass(frozen=True)
class CsvRow:
    number: int  # as a spreadsheet shows it: the header is row 1
    cells: tuple[str, ...]


@dataclass(frozen=True)
class ParsedCsv:
    """A read file, or the reason it could not be read (`problem`)."""

    headers: tuple[str, ...] = ()
    rows: tuple[CsvRow, ...] = ()
    encoding: str = ""
    delimiter: str = ","
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem

    @property
    def delimiter_name(self) -> str:
        return DELIMITER_NAMES.get(self.delimiter, repr(self.delimiter))


def decode(data: bytes) -> tuple[str, str]:
    """Text and the name of the encoding that read it: UTF-8 (with or without a
    BOM), UTF-16 with a BOM (Excel's "Unicode text"), else Windows-1252, which
    Excel writes on Western systems, else Latin-1, which reads any byte."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16"), "UTF-16"
        except UnicodeDecodeError:
            pass
    try:
        text = data.decode("utf-8-sig")
        return text, "UTF-8 with BOM" if data.startswith(codecs.BOM_UTF8) else "UTF-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252"), "Windows-1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "Latin-1"


def looks_binary(data: bytes, text: str) -> bool:
    if b"\x00" in data[:BINARY_SAMPLE] and not data.startswith(
        (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
    ):
        return True
    sample = text[:BINARY_SAMPLE]
    controls = sum(
        1 for ch in sample if ch not in "\t\r\n" and unicodedata.category(ch) in {"Cc", "Cs"}
    )
    return bool(sample) and controls / len(sample) > BINARY_CONTROL_SHARE


def detect_delimiter(text: str) -> str:
    """The most frequent of , ; and tab in the header line, outside quotes.

    Counting in the header is steadier than csv.Sniffer, which guesses from
    data rows where commas inside quoted values mislead it.
    """
    header = re.sub(r'"[^"]*"', "", text.lstrip("\r\n").split("\n", 1)[0])
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _is_blank(record: list[str]) -> bool:
    return not any(cell.strip() for cell in record)


def _problem(message: str, **kwargs: Any) -> ParsedCsv:
    return ParsedCsv(problem=message, **kwargs)


def parse_csv(data: bytes) -> ParsedCsv:
    """The header and the non-blank data rows, or a problem a person can act on."""
    if not data.strip():
        return _problem("The file is empty.")
    text, encoding = decode(data)
    if looks_binary(data, text):
        return _problem(
            "This is not a CSV file: it looks binary (an Excel workbook, perhaps). "
            "Save it as “CSV” from your spreadsheet and upload that."
        )
    # Postgres cannot store NUL, and no sensible value contains one.
    text = text.replace("\x00", "")
    delimiter = detect_delimiter(text)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    records: list[list[str]] = []
    try:
        for record in reader:
            records.append(record)
    except csv.Error as exc:
        if "field larger than field limit" in str(exc):
            # A quote left open swallows the rest of the file into one cell, so say both.
            reason = (
                f"a cell is longer than {csv.field_size_limit():,} characters, "
                "the most one cell may hold; perhaps a quote is not closed"
            )
        else:
            reason = f"{exc}; a quote is probably not closed"
        return _problem(
            f"Row {len(records) + 1} cannot be read as CSV: {reason}.",
            encoding=encoding,
            delimiter=delimiter,
        )
    numbered = [(i + 1, r) for i, r in enumerate(records) if not _is_blank(r)]
    if not numbered:
        return _problem("The file is empty.", encoding=encoding, delimiter=delimiter)
    _, header = numbered[0]
    if len(header) > MAX_COLUMNS:
        return _problem(
            f"The file has {len(header)} columns; at most {MAX_COLUMNS} can be imported.",
            encoding=encoding,
            delimiter=delimiter,
        )
    headers = tuple(
        (cell.strip().lstrip("\ufeff").strip() or f"Column {i + 1}")
        for i, cell in enumerate(header)
    )
    rows = tuple(CsvRow(number, tuple(record)) for number, record in numbered[1:])
    if not rows:
        return _problem(
            "The file has a header row but no data rows.",
            headers=headers,
            encoding=encoding,
            delimiter=delimiter,
        )
    return ParsedCsv(headers=headers, rows=rows, encoding=encoding, delimiter=delimiter)


def read_upload(data: bytes) -> ParsedCsv:
    """`parse_csv`, plus the one column an import cannot do without."""
    parsed = parse_csv(data)
    if parsed.ok and EMAIL not in guess_mapping(parsed):
        return _problem(
            "No email column was found. The file needs a column of email addresses, "
            "headed e.g. “Email”.",
            headers=parsed.headers,
            encoding=parsed.encoding,
            delimiter=parsed.delimiter,
        )
    return parsed


# -- mapping columns to fields --------------------------------------------------

EMAIL = "email"
TAGS = "tags"
CUSTOM = "custom"
IGNORE = "ignore"
OWNER = "owner"
LIST = "list_name"

# Every ProspectFields field a column can fill, with the label the page shows.
FIELD_LABELS = {
    "email": "Email",
    "first_name": "First name",
    "last_name": "Last name",
    "middle_name": "Middle name",
    "full_name": "Full name",
    "company": "Company",
    "company_domain": "Company domain",
    "account": "Account",
    "department": "Department",
    "title": "Title",
    "location": "Location",
    "phone": "Phone",
    "twitter_id": "Twitter",
    "company_phone": "Company phone",
    "company_email": "Company email",
    "linkedin_url": "LinkedIn URL",
    "city": "City",
    "country": "Country",
    "list_name": "List",
    "tags": "Tags",
    "owner": "Owner (team member email)",
}
# ProspectFields fields no column maps to directly, and why (see the module docstring).
NOT_COLUMNS = {"custom_fields": "one 'custom field' choice per column", "outcome": "Update only"}
# Targets that may fill more than one column: their values are gathered.
MULTI_TARGETS = {TAGS, CUSTOM, IGNORE}

# Headers as people write them, folded (see `fold`), for each field.
HEADER_ALIASES = {
    "email": "email emailaddress mail emailid workemail businessemail contactemail",
    "first_name": "firstname first givenname fname forename",
    "last_name": "lastname last surname familyname lname",
    "middle_name": "middlename middle middleinitial",
    "full_name": "fullname name contactname prospectname",
    "company": "company companyname organisation organization org employer",
    "company_domain": "domain website companydomain companywebsite web websiteurl",
    "account": "account accountname",
    "department": "department dept",
    "title": "title jobtitle position designation role",
    "location": "location region",
    "phone": "phone mobile phonenumber mobilephone mobilenumber cell cellphone telephone tel",
    "twitter_id": "twitter twitterid twitterhandle twitterurl",
    "company_phone": "companyphone officephone workphone hqphone",
    "company_email": "companyemail",
    "linkedin_url": "linkedin linkedinurl linkedinprofile linkedinprofileurl",
    "city": "city town",
    "country": "country",
    "list_name": "list listname prospectlist",
    "tags": "tags tag labels",
    "owner": "owner owneremail assignto assignedto prospectowner",
}
_TARGET_BY_ALIAS = {
    alias: target for target, aliases in HEADER_ALIASES.items() for alias in aliases.split()
}


def fold(header: str) -> str:
    """Case, spaces, underscores, hyphens and dots do not matter: "E-mail" is "email"."""
    return re.sub(r"[\s_\-.]", "", header).lower()


def target_choices(header: str) -> list[tuple[str, str]]:
    return [
        (IGNORE, "— ignore —"),
        *FIELD_LABELS.items(),
        (CUSTOM, f"Custom field: {header}"),
    ]


def valid_targets() -> set[str]:
    return {IGNORE, CUSTOM, *FIELD_LABELS}


def _looks_like_emails(parsed: ParsedCsv, column: int) -> bool:
    values = [r.cells[column].strip() for r in parsed.rows[:50] if column < len(r.cells)]
    values = [v for v in values if v]
    return bool(values) and sum("@" in v for v in values) * 2 > len(values)


def guess_mapping(parsed: ParsedCsv) -> list[str]:
    """A target per header: recognised headers, else "ignore". A column whose header
    says nothing but whose values are mostly addresses is taken for the email when
    no header names one. Each single-value field goes to its first column only."""
    mapping: list[str] = []
    for header in parsed.headers:
        target = _TARGET_BY_ALIAS.get(fold(header), IGNORE)
        if target not in MULTI_TARGETS and target in mapping:
            target = IGNORE
        mapping.append(target)
    if EMAIL not in mapping:
        for i, target in enumerate(mapping):
            if target == IGNORE and _looks_like_emails(parsed, i):
                mapping[i] = EMAIL
                break
    return mapping


def mapping_problems(headers: Iterable[str], mapping: list[str]) -> list[str]:
    """What is wrong with a mapping as a whole, for the mapping form."""
    headers = list(headers)
    problems = []
    by_target: dict[str, list[str]] = {}
    for header, target in zip(headers, mapping, strict=False):
        by_target.setdefault(target, []).append(header)
    if EMAIL not in by_target:
        problems.append("Choose the column that holds the email address.")
    for target, columns in by_target.items():
        if target not in MULTI_TARGETS and len(columns) > 1:
            label = FIELD_LABELS.get(target, target)
            problems.append(f"{label} is chosen for more than one column: {', '.join(columns)}.")
    custom_names = Counter(fold(h) for h, t in zip(headers, mapping, strict=False) if t == CUSTOM)
    for name, count in custom_names.items():
        if count > 1:
            problems.append(f"Two columns would fill the same custom field ({name}).")
    return problems


# -- checking rows ---------------------------------------------------------------

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


def split_tags(value: str) -> list[str]:
    """Tags in one cell: "a, b", "a|b" or "a; b"."""
    return [t.strip() for t in re.split(r"[|,;]", value) if t.strip()]


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
        return RowOutcome(
            row.number, email, EXISTS, "Already in Klenty (in the dashboard's cache); not sent."
        )
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


# -- the per-row outcome after the import ----------------------------------------

# Job item state → the outcome column of the per-row CSV (see prospects/bulk.py).
ITEM_OUTCOMES = {
    "done": "added",
    "skipped": "already exists",
    "failed": "failed",
    "pending": "pending",
    "sending": "pending",
    "cancelled": "cancelled",
}
NOT_SENT_OUTCOMES = {INVALID: "invalid", DUPLICATE: "duplicate", EXISTS: "already exists"}
OUTCOME_CSV_HEADER = ("row", "email", "outcome", "detail")


def final_outcomes(
    rows: list[list[Any]], items: dict[str, tuple[str, str]]
) -> list[tuple[int, str, str, str]]:
    """Every row of the file with what became of it.

    `rows` are the stored [number, email, status, reason] of the check made when
    the import started; `items` maps a sent row's email to its job item's
    (state, message).
    """
    result = []
    for number, email, status, reason in rows:
        if status == READY:
            state, message = items.get(email, ("pending", ""))
            outcome = ITEM_OUTCOMES.get(state, state)
            if outcome == "added":
                message = ""
            elif outcome == "already exists":
                message = "Klenty already had this prospect."
            elif outcome == "pending" and not message:
                message = "Not sent yet."
            result.append((number, email, outcome, message))
        else:
            result.append((number, email, NOT_SENT_OUTCOMES.get(status, status), reason))
    return sorted(result)


def spreadsheet_safe(value: Any) -> Any:
    """A cell a spreadsheet will not run as a formula (CSV injection)."""
    if isinstance(value, str) and value[:1] in {"=", "+", "-", "@", "\t", "\r"}:
        return "'" + value
    return value


def outcome_csv(outcomes: list[tuple[int, str, str, str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(OUTCOME_CSV_HEADER)
    for row in outcomes:
        writer.writerow([spreadsheet_safe(v) for v in row])
    return out.getvalue()


# -- keeping an upload between the steps -----------------------------------------

TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{22,64}")
MAX_AGE_SECONDS = 24 * 3600


def import_dir() -> Path:
    return Path(settings.VAR_DIR) / "imports"


@dataclass
class StoredImport:
    """An upload: `<token>.csv` holds the bytes, `<token>.json` who uploaded them
    and what was decided at each step (mapping, list, tags, results, job id)."""

    token: str
    meta: dict[str, Any]

    @property
    def csv_path(self) -> Path:
        return import_dir() / f"{self.token}.csv"

    @property
    def meta_path(self) -> Path:
        return import_dir() / f"{self.token}.json"

    @property
    def started(self) -> bool:
        return "rows" in self.meta

    def read_bytes(self) -> bytes:
        return self.csv_path.read_bytes()

    def save(self) -> None:
        _write_atomically(self.meta_path, json.dumps(self.meta).encode())


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def remove_stale_uploads(now: float | None = None) -> int:
    """Deletes the files of uploads older than a day; returns how many went."""
    cutoff = (now or time.time()) - MAX_AGE_SECONDS
    removed = 0
    folder = import_dir()
    if not folder.is_dir():
        return 0
    for path in folder.iterdir():
        try:
            if path.is_file() and path.stat().st_mtime < cutoff:
                path.unlink()
                removed += 1
        except FileNotFoundError:
            pass  # another request cleaned it first
    return removed


def save_upload(*, user, data: bytes, filename: str) -> StoredImport:
    remove_stale_uploads()
    import_dir().mkdir(parents=True, exist_ok=True)
    stored = StoredImport(
        token=secrets.token_urlsafe(24),
        meta={
            "user_id": user.pk,
            "filename": filename[:255],
            "size": len(data),
            "uploaded_at": datetime.now(UTC).isoformat(),
        },
    )
    _write_atomically(stored.csv_path, data)
    stored.save()
    return stored


def load_upload(token: str, user) -> StoredImport | None:
    """The upload if `user` made it and it is still there; None otherwise."""
    if not TOKEN_RE.fullmatch(token or ""):
        return None
    stored = StoredImport(token=token, meta={})
    try:
        meta = json.loads(stored.meta_path.read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(meta, dict) or meta.get("user_id") != user.pk:
        return None
    if not stored.csv_path.is_file():
        return None
    stored.meta = meta
    return stored


def recent_uploads(user, limit: int = 10) -> list[StoredImport]:
    """The user's uploads still on disk, newest first."""
    folder = import_dir()
    if not folder.is_dir():
        return []
    found = [s for s in (load_upload(p.stem, user) for p in folder.glob("*.json")) if s]
    found.sort(key=lambda s: s.meta.get("uploaded_at", ""), reverse=True)
    return found[:limit]


def prospect_field_names() -> set[str]:
    return {f.name for f in fields(ProspectFields)}


# -- with the dashboard's data: the checks the preview shows, and the start ----

CACHE_QUERY_CHUNK = 900  # below SQLite's oldest limit on query parameters


def options_for(stored: StoredImport, parsed: ParsedCsv, user) -> ImportOptions:
    """The stored choices, the cache's emails among the file's, and the team."""
    mapping = stored.meta.get("mapping") or guess_mapping(parsed)
    emails = sorted(emails_in(parsed, mapping))
    existing: set[str] = set()
    for start in range(0, len(emails), CACHE_QUERY_CHUNK):
        chunk = emails[start : start + CACHE_QUERY_CHUNK]
        existing.update(Prospect.objects.filter(email__in=chunk).values_list("email", flat=True))
    team = klenty_target().team_emails
    return ImportOptions(
        mapping=mapping,
        list_name=stored.meta.get("list_name", ""),
        extra_tags=tuple(stored.meta.get("extra_tags", ())),
        owner_forced=user.is_rep,
        forced_owner=user.klenty_email if user.is_rep else "",
        team_emails=frozenset(e.lower() for e in team) if team else None,
        existing_emails=frozenset(existing),
    )


def check_upload(stored: StoredImport, user) -> tuple[ParsedCsv, list[RowOutcome]]:
    parsed = parse_csv(stored.read_bytes())
    if not parsed.ok:
        return parsed, []
    return parsed, check_rows(parsed, options_for(stored, parsed, user))


def start_import(stored: StoredImport, user):
    """Queues a Bulk Add of the ready rows and records every row's check.

    Returns the job, or None when no row was ready (nothing is queued then).
    The view runs it once per upload (`once.send_once`, keyed by the token).
    """
    _, outcomes = check_upload(stored, user)
    ready = [o.fields for o in outcomes if o.status == READY]
    job = None
    if ready:
        name = stored.meta.get("filename") or "a CSV file"
        job = create_import_job(
            user=user,
            rows=ready,
            description=f"Import of {name}: {len(ready)} of {len(outcomes)} rows",
        )
    stored.meta["rows"] = [[o.number, o.email, o.status, o.reason] for o in outcomes]
    stored.meta["job_id"] = job.pk if job else None
    stored.meta["started_at"] = datetime.now(UTC).isoformat()
    stored.save()
    return job


def import_outcomes(stored: StoredImport) -> list[tuple[int, str, str, str]]:
    """Every row of a started import with what became of it, from the job's items."""
    items: dict[str, tuple[str, str]] = {}
    if stored.meta.get("job_id"):
        items = {
            email: (state, message)
            for email, state, message in BulkJobItem.objects.filter(
                job_id=stored.meta["job_id"]
            ).values_list("email", "state", "message")
        }
    return final_outcomes(stored.meta.get("rows", []), items)
