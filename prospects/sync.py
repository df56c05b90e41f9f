"""Copies the team's Klenty prospects into the local cache, resumably.

What Klenty's answers carry decides what each pass can write:

Full sync, in phases; the SyncRun's cursor says where it is, so a run that died or
failed resumes at that phase, list and page instead of starting over:

1. ``lists``: Get Lists, upserted by Klenty id (or by name, for a list first met by name).
2. ``details``: Get prospects by created date, one day a call, over the last
   ``KLENTY_SYNC_HISTORY_DAYS`` days. It carries every profile field but custom fields,
   and the day asked for is the prospect's ``created_on`` (exact, never guessed).
   It runs before the list pages so that a first sync writes each row once.
3. ``pages``: every list, page by page (Get Prospects by List, 1000 a page). It is the
   only answer that enumerates every prospect (those created before the history window
   too), but it carries only the id, names, email, company, tags, owner and list: those
   are written and every other cached field is left as it is. A cached prospect whose
   list changed counts as *moved* (in whichever pass sees the change first).
4. ``statuses``: as below.

Incremental sync:

1. ``updates``: Get prospects by last updated date, one day a call, from the day the last
   successful sync started up to today. The day asked for is the prospect's
   ``updated_on``. Klenty gives only the day of an update, so a prospect whose status
   was read before the end of that day has ``status_checked_at`` cleared, and its status
   is read next (unless a run already saw an update that day and read the status after
   the last successful sync started: else everything updated today would be re-read
   by every run).
2. ``created``: Get prospects by created date over the same days, the only answer that
   says on which day a new prospect was created.
3. ``statuses``: no list or date answer carries a status, so statuses come from one call
   per prospect, at most ``KLENTY_SYNC_STATUS_CHECKS`` calls a run to stay inside the rate
   limit. Prospects never checked (just updated first, then new) come first and also
   get Get Prospect details with Custom fields (the only answer with custom fields: two
   calls each); then prospects in a cadence, the longest unchecked first. After a first
   full sync the statuses (and custom fields) therefore fill in over the next runs.

Writes are per page (or per few days' answers, up to a page's worth): one read of the
rows the page names, one executemany of INSERTs, one of UPDATEs for the rows whose values
changed, and the progress on the SyncRun, in one transaction: a constant number of
queries per page and memory that does not grow with the team.
Running a sync twice gives the same cache: the second run creates and updates nothing
beyond what its status checks newly learn.

A sync is a kind of background work (``prospect_sync``, klentyadmin/core/background/):
the one runner claims the SyncRun under a lease and works it in slices, one step at a
time (a list page, a page's worth of days, a batch of status checks), each after a lease
checkpoint and written under that lease, with the cursor after it. A run whose worker
died is resumed by the one ``resume_stalled`` schedule (and by the scheduled sync, which
first looks for one). Klenty's errors (after the client's retries) end the run FAILED
with the error recorded and the cursor kept; the next run resumes from it.
"""

from __future__ import annotations

import functools
import logging
import math
import operator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Field, Q
from django.urls import reverse
from django.utils import timezone

from klentyadmin.core import background, leases
from klentyadmin.core.background.runner import Slice, Stopped
from klentyadmin.core.failures import reason_for
from klentyadmin.integrations.errors import ApiError, ApiNotFound
from klentyadmin.integrations.klenty import LIST_PAGE_LIMIT, KlentyClient
from klentyadmin.integrations.klenty import Prospect as KlentyProspect
from prospects.models import Prospect, ProspectList, SyncRun

log = logging.getLogger(__name__)

KIND = "prospect_sync"
ANOTHER_SYNC = "Another sync was running; this one was not needed."
PAGE_SIZE = LIST_PAGE_LIMIT
# A task works this long, then queues its own continuation (django-q2's timeout is 600 s).
SLICE_SECONDS = 240
STATUS_BATCH = 25
ACTIVE_CADENCE = ("In Cadence", "Paused")

# What each answer carries, in the model's names (prospect_list and klenty_id aside).
LIST_FIELDS = ("first_name", "last_name", "full_name", "company", "tags", "owner_email")
PROFILE_FIELDS = (
    *LIST_FIELDS,
    "middle_name",
    "company_domain",
    "account",
    "department",
    "title",
    "location",
    "phone",
    "twitter_id",
    "company_phone",
    "company_email",
    "linkedin_url",
    "city",
    "country",
)
DERIVED_FIELDS = ("tags_text", "search_text")
# What Prospect.refresh_derived_fields reads.
SEARCH_INPUTS = (
    "email",
    "full_name",
    "first_name",
    "last_name",
    "company",
    "title",
    "company_domain",
    "owner_email",
    "tags",
    *DERIVED_FIELDS,
)


# -- upserting ----------------------------------------------------------------


@dataclass
class Counts:
    seen: int = 0
    created: int = 0
    updated: int = 0
    moved: int = 0


class ListIndex:
    """ProspectList primary keys by Klenty id and by name, loaded once per runner."""

    def __init__(self) -> None:
        self.by_id: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        for pk, klenty_id, name in ProspectList.objects.values_list("pk", "klenty_id", "name"):
            if klenty_id:
                self.by_id[klenty_id] = pk
            self.by_name[name] = pk

    def pk_for(self, list_id: str, list_name: str) -> int | None:
        if list_id and list_id in self.by_id:
            return self.by_id[list_id]
        if not list_name:
            return None
        if list_name not in self.by_name:
            row, _ = ProspectList.objects.get_or_create(name=list_name)
            self.by_name[list_name] = row.pk
        return self.by_name[list_name]


# Fields whose value is not the record's attribute of the same name, as it is.
SPECIAL_FIELDS = frozenset({"owner_email", "tags", "custom_fields"})


def _value(record: KlentyProspect, name: str) -> Any:
    if name == "owner_email":
        return record.owner.strip().lower()
    if name == "tags":
        return list(record.tags)
    if name == "custom_fields":
        return dict(record.custom_fields)
    return getattr(record, name)


def _new_row(now: datetime) -> dict[str, Any]:
    """A new prospect's columns (by attname) before the answer's values go in."""
    row = {f.attname: f.get_default() for f in _insert_fields()}
    row.update(first_synced_at=now, last_synced_at=now)
    return row


def _refresh_derived(row: dict[str, Any]) -> None:
    """The model's own rule for the derived columns, applied to a row held as a dict
    (a model instance per row costs more than the rest of the upsert)."""
    holder = SimpleNamespace(**{name: row[name] for name in SEARCH_INPUTS})
    Prospect.refresh_derived_fields(holder)
    row.update(vars(holder))


def upsert_page(
    records: list[KlentyProspect],
    *,
    fields: tuple[str, ...],
    lists: ListIndex,
    extra: dict[str, Any] | list[dict[str, Any]] | None = None,
    now: datetime | None = None,
    new_since: datetime | None = None,
) -> Counts:
    """Writes one answer's prospects: `fields` from each record, plus `extra` (one dict
    for all, or one per record).

    Only the fields the answer carries are written, so a thin answer (by list) never
    blanks what a richer one (by date, with custom fields) wrote before. Rows first
    cached at or after `new_since` (this run's start) count as created, not updated,
    when a later pass of the same run fills in more of their fields. Rows are read and
    written as plain tuples and dicts: no model instance per row.
    """
    now = now or timezone.now()
    new_since = new_since or now
    extras = extra if isinstance(extra, list) else [extra or {}] * len(records)
    plain = [name for name in fields if name not in SPECIAL_FIELDS]
    special = [name for name in fields if name in SPECIAL_FIELDS]
    read_plain = operator.attrgetter(*plain) if len(plain) > 1 else None
    incoming: dict[str, dict[str, Any]] = {}
    for record, record_extra in zip(records, extras, strict=True):
        email = record.email.strip().lower()
        if not email:
            continue
        if read_plain is not None:
            values = dict(zip(plain, read_plain(record), strict=True))
        else:
            values = {name: getattr(record, name) for name in plain}
        for name in special:
            values[name] = _value(record, name)
        values.update(record_extra)
        list_pk = lists.pk_for(record.list_id, record.list_name)
        if list_pk is not None:
            values["prospect_list_id"] = list_pk
        if record.id:
            values["klenty_id"] = record.id
        values["email"] = email
        incoming[email] = values
    counts = Counts(seen=len(incoming))
    if not incoming:
        return counts
    ids = [values["klenty_id"] for values in incoming.values() if "klenty_id" in values]
    # Only the columns compared or read to derive tags_text and search_text.
    names = {name for values in incoming.values() for name in values}
    columns = ["id", "first_synced_at", "last_synced_at", *sorted({*names, *SEARCH_INPUTS})]
    found = (
        Prospect.objects.filter(Q(email__in=list(incoming)) | Q(klenty_id__in=ids))
        .order_by()
        .values_list(*columns)
    )
    rows = [dict(zip(columns, values, strict=True)) for values in found]
    by_email = {row["email"]: row for row in rows}
    by_klenty_id = {row["klenty_id"]: row for row in rows if row["klenty_id"]}

    new: list[dict[str, Any]] = []
    changed: list[dict[str, Any]] = []
    stale_ids: list[int] = []  # rows holding a Klenty id that now belongs to another row
    update_fields: set[str] = set()
    touch: list[int] = []  # rows seen again, not yet stamped by this runner
    blank = _new_row(now)
    for email, values in incoming.items():
        klenty_id = values.get("klenty_id")
        row = by_email.get(email) or by_klenty_id.get(klenty_id)
        if row is None:
            row = {**blank, "tags": [], "custom_fields": {}}
            new.append(row)
        if "id" not in row:
            # New (or new and met again in this answer: the later values win).
            row.update(values)
            _refresh_derived(row)
            by_email[email] = row
            if klenty_id:
                by_klenty_id[klenty_id] = row
            continue
        if row["last_synced_at"] < now:
            touch.append(row["id"])
        holder = by_klenty_id.get(klenty_id)
        if klenty_id and holder is not None and holder is not row and "id" in holder:
            stale_ids.append(holder["id"])
        diff = {k: v for k, v in values.items() if row[k] != v}
        if not diff:
            continue
        if "prospect_list_id" in diff and row["prospect_list_id"] is not None:
            counts.moved += 1
        derived_before = [row[name] for name in DERIVED_FIELDS]
        row.update(diff)
        _refresh_derived(row)
        changed.append(row)
        update_fields.update(diff)
        # Only derived columns that moved: rewriting an indexed column costs index work.
        for name, before in zip(DERIVED_FIELDS, derived_before, strict=True):
            if row[name] != before:
                update_fields.add(name)

    if stale_ids:
        Prospect.objects.filter(pk__in=stale_ids).update(klenty_id=None)
    if new:
        insert_rows(new)
        counts.created = len(new)
    if changed:
        update_rows(changed, sorted(update_fields))
        counts.updated = sum(1 for row in changed if row["first_synced_at"] < new_since)
    # Rows this runner already stamped (in an earlier pass) keep their stamp: rewriting
    # an indexed column costs index work.
    if touch:
        Prospect.objects.filter(pk__in=touch).update(last_synced_at=now)
    return counts


@functools.cache
def _insert_fields() -> tuple[Field, ...]:
    return tuple(f for f in Prospect._meta.concrete_fields if not f.primary_key)


def _columns(field_names: list[str] | None = None):
    """(column, attname, converter) for the named fields, or every non-pk field.

    Text columns hold Python strings already, so they skip Django's per-value
    preparation; the others (dates, JSON, foreign keys) remember what they converted,
    since a page's rows mostly share their timestamps and list.
    """
    connection = connections[Prospect.objects.db]
    if field_names is None:
        model_fields = list(_insert_fields())
    else:
        model_fields = [Prospect._meta.get_field(name) for name in field_names]
    columns = []
    for f in model_fields:
        plain = f.get_internal_type() in {"CharField", "TextField", "EmailField"}
        columns.append((f.column, f.attname, None if plain else _converter(f, connection)))
    return connection, columns


def _converter(f: Field, connection):
    prepare = f.get_db_prep_save
    done: dict[Any, Any] = {}

    def convert(value: Any) -> Any:
        try:
            return done[value]
        except KeyError:
            result = done[value] = prepare(value, connection)
            return result
        except TypeError:  # unhashable: a list or dict for a JSON column
            return prepare(value, connection)

    return convert


def _params(rows: list[dict[str, Any]], columns, *tail: str) -> list[list[Any]]:
    return [
        [
            row[attname] if convert is None else convert(row[attname])
            for _, attname, convert in columns
        ]
        + [row[name] for name in tail]
        for row in rows
    ]


def insert_rows(rows: list[dict[str, Any]]) -> None:
    """New prospects (dicts by attname) as one executemany of INSERTs."""
    connection, columns = _columns()
    qn = connection.ops.quote_name
    names = ", ".join(qn(column) for column, _, _ in columns)
    marks = ", ".join(["%s"] * len(columns))
    # Identifiers come from the model's metadata, quoted; every value is a parameter.
    sql = f"INSERT INTO {qn(Prospect._meta.db_table)} ({names}) VALUES ({marks})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, _params(rows, columns))


def update_rows(rows: list[dict[str, Any]], field_names: list[str]) -> None:
    """One UPDATE by primary key per row (dicts by attname, with "id"), as one executemany.

    Django's bulk_update builds a CASE per field over every row, which costs far more
    than the write itself at a thousand rows a page.
    """
    connection, columns = _columns(field_names)
    qn = connection.ops.quote_name
    assignments = ", ".join(f"{qn(column)} = %s" for column, _, _ in columns)
    table = qn(Prospect._meta.db_table)
    sql = f"UPDATE {table} SET {assignments} WHERE {qn('id')} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.executemany(sql, _params(rows, columns, "id"))


def upsert_lists(client: KlentyClient) -> list[str]:
    """Get Lists into ProspectList; returns the lists' names in Klenty's order."""
    now = timezone.now()
    names = []
    rows = list(ProspectList.objects.all())
    by_id = {row.klenty_id: row for row in rows if row.klenty_id}
    by_name = {row.name: row for row in rows}
    for item in client.get_lists():
        if not item.name:
            continue
        names.append(item.name)
        row = by_id.get(item.id) or by_name.get(item.name)
        if row is None:
            row = ProspectList.objects.create(klenty_id=item.id or None, name=item.name)
            by_name[row.name] = row
            continue
        if row.klenty_id == (item.id or row.klenty_id) and row.name == item.name:
            continue
        if item.name in by_name and by_name[item.name] is not row:
            # Renamed in Klenty onto a name we already hold: keep ours, say so.
            log.warning("Klenty list %s is named %r, already used here", item.id, item.name)
            continue
        row.klenty_id = item.id or row.klenty_id
        row.name = item.name
        row.save(update_fields=["klenty_id", "name"])
    ProspectList.objects.filter(name__in=names).update(synced_at=now)
    return names


# -- the runner -----------------------------------------------------------------


@dataclass
class Runner:
    """One task's share of a sync: the client, the list index and the slice's lease.

    Each `step` is one piece of the current phase (one list page, a page's worth of
    days, one batch of status checks), written with the cursor that records it.
    """

    run: SyncRun
    client: KlentyClient
    lists: ListIndex = field(default_factory=ListIndex)
    # One stamp for what this runner writes, so a row that two passes see is stamped once.
    now: datetime = field(default_factory=timezone.now)
    # The background runner's slice, whose lease every write is conditional on.
    work: Slice | None = None

    # -- bookkeeping

    def advance(self, cursor: dict[str, Any], counts: Counts | None = None, **more: Any) -> None:
        """Stores progress, if the lease is still ours (the step's checkpoint renewed it)."""
        assert self.work is not None
        counts = counts or Counts()
        stored = SyncRun.objects.filter(
            pk=self.run.pk, status=SyncRun.Status.RUNNING, lease_until=self.work.lease
        ).update(
            cursor=cursor,
            seen=F("seen") + counts.seen,
            created=F("created") + counts.created,
            updated=F("updated") + counts.updated,
            moved=F("moved") + counts.moved,
            **more,
        )
        if not stored:
            raise Stopped
        self.run.cursor = cursor

    def record_error(self, message: str) -> None:
        """Adds a line to the run's error history (where the run stopped, and why)."""
        stamp = timezone.now().strftime("%Y-%m-%d %H:%M:%S")
        cursor = self.run.cursor
        where = cursor.get("phase", "")
        if where == "pages":
            names = cursor.get("lists", [])
            index = cursor.get("list", 0)
            name = names[index] if index < len(names) else ""
            where = f"list {name!r}, page {cursor.get('page')}"
        line = f"{stamp} ({where}): {message}"
        errors = f"{self.run.errors}\n{line}".strip() if self.run.errors else line
        held = self.work.lease if self.work else None
        SyncRun.objects.filter(pk=self.run.pk, lease_until=held).update(errors=errors[-10000:])

    def write(self, records, cursor: dict[str, Any], *, fields, extra=None, **more) -> None:
        """One answer's upsert and the progress that records it, all or nothing."""
        with transaction.atomic():
            if cursor.get("phase") == "updates" and records:
                self.forget_stale_statuses(records, extra, datetime.fromisoformat(cursor["since"]))
            counts = upsert_page(
                records,
                fields=fields,
                lists=self.lists,
                extra=extra,
                now=self.now,
                new_since=self.run.started_at,
            )
            if cursor.get("phase") not in {"pages", "updates"}:
                counts.seen = 0  # the by-list (or by-update) pass is the one that "sees"
            self.advance(cursor, counts, **more)

    @staticmethod
    def forget_stale_statuses(records, extras: list[dict[str, Any]], since: datetime) -> None:
        """Clears status_checked_at of updated prospects whose status may predate the update.

        Klenty gives the day of an update, not its time. A status read before that day
        ended may be older than the update, so it is read again, unless an earlier run
        already saw an update on that day and read the status after the last successful
        sync started (otherwise every run would re-read everything updated today).
        """
        emails_by_day: dict[date, list[str]] = {}
        for record, record_extra in zip(records, extras, strict=True):
            emails_by_day.setdefault(record_extra["updated_on"], []).append(
                record.email.strip().lower()
            )
        zone = timezone.get_current_timezone()
        for day, emails in emails_by_day.items():
            day_end = datetime.combine(day + timedelta(days=1), datetime.min.time(), zone)
            Prospect.objects.filter(email__in=emails, status_checked_at__lt=day_end).filter(
                Q(updated_on__isnull=True) | Q(updated_on__lt=day) | Q(status_checked_at__lt=since)
            ).update(status_checked_at=None)

    # -- phases: each step is one piece of the cursor's phase; False once the run is done

    def step(self) -> bool:
        phase = self.run.cursor.get("phase")
        if phase == "lists":
            self.step_lists()
        elif phase == "pages":
            self.step_pages()
        elif phase == "details":
            if self.by_day(self.client.get_prospects_created_between, "created_on"):
                self.advance({**self.pages_cursor(), "lists": self.run.cursor["lists"]})
        elif phase == "updates":
            if self.by_day(self.client.get_prospects_updated_since, "updated_on"):
                since = self.run.cursor["since"]
                day = timezone.localdate(datetime.fromisoformat(since)).isoformat()
                self.advance({"phase": "created", "day": day, "since": since})
        elif phase == "created":
            # The updated answers do not say when a new prospect was created: these do.
            if self.by_day(self.client.get_prospects_created_between, "created_on"):
                self.advance(self.statuses_cursor())
        elif phase == "statuses":
            return self.step_statuses()
        else:
            raise ValueError(f"unknown sync phase {phase!r}")
        return True

    def step_lists(self) -> None:
        names = upsert_lists(self.client)
        self.lists = ListIndex()
        start = timezone.localdate() - timedelta(days=settings.KLENTY_SYNC_HISTORY_DAYS)
        cursor = {"phase": "details", "day": start.isoformat(), "lists": names}
        self.advance(cursor, lists_total=len(names), lists_done=0)

    def step_pages(self) -> None:
        """One page of one list; the statuses once every list is read."""
        cursor = dict(self.run.cursor)
        names: list[str] = cursor["lists"]
        if cursor["list"] >= len(names):
            self.advance(self.statuses_cursor())
            return
        name, page = names[cursor["list"]], cursor["page"]
        try:
            records = self.client.get_prospects_in_list(name, page=page, limit=PAGE_SIZE)
        except ApiNotFound:
            records = []  # the list is gone, or the last page was exactly full
        if len(records) < PAGE_SIZE:  # done with this list
            cursor = {**cursor, "list": cursor["list"] + 1, "page": 1}
            self.write(records, cursor, fields=LIST_FIELDS, lists_done=cursor["list"])
            ProspectList.objects.filter(name=name).update(synced_at=timezone.now())
        else:
            self.write(records, {**cursor, "page": page + 1}, fields=LIST_FIELDS)

    def by_day(self, fetch, date_field: str) -> bool:
        """One call a day from the cursor's day, up to a page's worth of answers (a quiet
        day costs no transaction of its own); the day is each prospect's date. True once
        the cursor is past today (nothing read then)."""
        cursor = dict(self.run.cursor)
        today = timezone.localdate()
        day = date.fromisoformat(cursor["day"])
        if day > today:
            return True
        records: list[KlentyProspect] = []
        extras: list[dict[str, Any]] = []
        while day <= today and len(records) < PAGE_SIZE:
            answer = fetch(day, day)
            records.extend(answer)
            extras.extend([{date_field: day}] * len(answer))
            day += timedelta(days=1)
        self.write(records, {**cursor, "day": day.isoformat()}, fields=PROFILE_FIELDS, extra=extras)
        return False

    def pages_cursor(self) -> dict[str, Any]:
        return {"phase": "pages", "list": 0, "page": 1}

    def statuses_cursor(self) -> dict[str, Any]:
        return {"phase": "statuses", "checked": 0, "since": self.run.started_at.isoformat()}

    @staticmethod
    def _per_prospect(call, email: str):
        """A per-prospect read; None when Klenty has no such prospect or refuses the address.

        Those are marked checked so they are not asked about every run. Errors worth
        retrying (Klenty down or busy) fail the run, which resumes here later.
        """
        try:
            return call(email)
        except ApiError as exc:
            if exc.retryable:
                raise
            log.info("sync: nothing from Klenty for %s: %s", email, exc)
            return None

    def step_statuses(self) -> bool:
        """One batch of status checks; False once the budget is spent or none is due."""
        budget = settings.KLENTY_SYNC_STATUS_CHECKS
        checked_before = datetime.fromisoformat(self.run.cursor["since"])
        room = budget - self.run.cursor["checked"]
        if room <= 0:
            return False
        batch = list(
            Prospect.objects.filter(
                Q(status_checked_at__isnull=True)
                | Q(cadence_status__in=ACTIVE_CADENCE, status_checked_at__lt=checked_before)
            ).order_by(
                F("status_checked_at").asc(nulls_first=True),
                F("updated_on").desc(nulls_last=True),  # just changed in Klenty first
                "pk",
            )[: min(STATUS_BATCH, room)]
        )
        calls = 0
        now = timezone.now()
        details: list[KlentyProspect] = []
        status_changes: set[int] = set()
        for index, prospect in enumerate(batch):
            first_check = prospect.status_checked_at is None
            needed = 2 if first_check else 1
            if calls + needed > room:
                batch = batch[:index]
                break
            calls += needed
            prospect.status_checked_at = now
            status = self._per_prospect(self.client.get_prospect_status, prospect.email)
            if status is not None:
                before = (prospect.prospect_status, prospect.cadence_status)
                prospect.prospect_status = status.prospect_status
                prospect.cadence_status = status.cadence_status
                if before != (status.prospect_status, status.cadence_status):
                    status_changes.add(prospect.pk)
            if first_check and status is not None:
                found = self._per_prospect(
                    self.client.get_prospect_with_custom_fields, prospect.email
                )
                if found is not None:
                    details.append(found)
        if not batch:
            return False
        cursor = {**self.run.cursor, "checked": self.run.cursor["checked"] + calls}
        with transaction.atomic():
            checked = ["prospect_status", "cadence_status", "status_checked_at"]
            update_rows(
                [{"id": p.pk, **{n: getattr(p, n) for n in checked}} for p in batch], checked
            )
            fields = (*PROFILE_FIELDS, "custom_fields")
            counts = upsert_page(
                details,
                fields=fields,
                lists=self.lists,
                now=self.now,
                new_since=self.run.started_at,
            )
            counts.seen = 0
            # A status that changed is an update too, unless this run created the row
            # (or the details just written already counted it).
            detailed = {found.email.strip().lower() for found in details}
            counts.updated += sum(
                1
                for p in batch
                if p.pk in status_changes
                and p.email not in detailed
                and p.first_synced_at < self.run.started_at
            )
            self.advance(cursor, counts)
        return True


@background.kind(KIND)
class ProspectSyncs(background.Kind):
    """A sync is a run without items: its cursor says which phase, list and page come
    next, and every step writes what it read together with the cursor after it."""

    label = "Prospect sync"
    model = SyncRun
    slice_seconds = SLICE_SECONDS

    def get(self, run_id: int) -> SyncRun:
        return SyncRun.objects.select_related("triggered_by").get(pk=run_id)

    def prepare(self, run: SyncRun) -> Runner:
        """One sync at a time: a run that finds another one held by a live runner (a
        full and an incremental started together) is cancelled, and forgets its cursor
        so that no later sync resumes it."""
        if self.running().exclude(pk=run.pk).filter(lease_until__gte=timezone.now()).exists():
            self.running().filter(pk=run.pk).update(
                status=SyncRun.Status.CANCELLED,
                finished_at=timezone.now(),
                lease_until=None,
                cursor={},
                error=ANOTHER_SYNC,
            )
            raise Stopped
        return Runner(run, KlentyClient.from_settings(actor=run.triggered_by))

    def recover(self, run: SyncRun, context: Runner) -> None:
        """Nothing to put back: the cursor is where the dead runner's last write left it."""

    def work_slice(self, run: SyncRun, context: Runner, work: Slice) -> bool:
        context.work = work
        return super().work_slice(run, context, work)

    def step(self, run: SyncRun, context: Runner) -> bool:
        """Klenty's errors (after the client's retries) fail the run with the cursor
        kept, so the next run resumes there; each failure adds a line to `errors`."""
        try:
            return context.step()
        except (Stopped, background.RunFailed):
            raise
        except ApiError as exc:
            context.record_error(str(exc))
            raise background.RunFailed(str(exc)) from exc
        except Exception as exc:
            context.record_error(f"Internal error: {reason_for(exc)}")
            raise

    def finish(self, run: SyncRun) -> None:
        SyncRun.objects.filter(pk=run.pk).update(cursor={})

    # -- in words ---------------------------------------------------------------

    def title(self, run: SyncRun) -> str:
        return f"The {run.get_kind_display().lower()} prospect sync {run.pk}"

    def failure_line(self, run: SyncRun) -> str:
        if run.status != SyncRun.Status.FAILED:
            return ""
        reason = (run.error or "no reason was recorded").rstrip(".")
        return f"{self.title(run)} stopped: {reason}. The next sync resumes it where it stopped."

    def url(self, run: SyncRun) -> str:
        return reverse("prospects:sync_status")

    def progress(self, run: SyncRun) -> background.Progress:
        """A sync has no items: its progress is its reads from Klenty, done and planned."""
        done, total = reads_done_and_planned(run)
        return background.Progress(
            total=total,
            pending=total - done,
            finished=run.finished,
            counts={"reads": done},
            labels={"reads": ("Reads from Klenty", False)},
        )


# -- starting, resuming -----------------------------------------------------------


def initial_cursor(kind: str) -> dict[str, Any]:
    if kind == SyncRun.Kind.FULL:
        return {"phase": "lists"}
    last = last_successful()
    since = last.started_at if last else timezone.now()
    return {
        "phase": "updates",
        "day": timezone.localdate(since).isoformat(),
        "since": since.isoformat(),
    }


def last_successful() -> SyncRun | None:
    return SyncRun.objects.filter(status=SyncRun.Status.DONE).order_by("-started_at").first()


def running_run() -> SyncRun | None:
    """The run a live runner holds right now, if any."""
    return (
        SyncRun.objects.filter(status=SyncRun.Status.RUNNING, lease_until__gte=timezone.now())
        .order_by("-started_at")
        .first()
    )


def stalled_runs():
    """Running runs whose runner died (lease lapsed) or handed over without a successor."""
    return background.get(KIND).stalled().order_by("started_at")


def start_or_resume(kind: str, triggered_by_id: int | None = None) -> SyncRun:
    """The unfinished run of this kind to resume (a failed one queued again), or a new one.

    An incremental sync with nothing to be incremental to becomes a full one.
    """
    if kind == SyncRun.Kind.INCREMENTAL and last_successful() is None:
        kind = SyncRun.Kind.FULL
    latest = SyncRun.objects.filter(kind=kind).order_by("-started_at").first()
    if latest is not None and latest.status != SyncRun.Status.DONE and latest.cursor:
        # A failed run keeps its cursor: the runner claims it again from there.
        SyncRun.objects.filter(pk=latest.pk, status=SyncRun.Status.FAILED).filter(
            leases.free()
        ).update(status=SyncRun.Status.QUEUED, finished_at=None)
        return latest
    return SyncRun.objects.create(
        kind=kind,
        triggered_by_id=triggered_by_id,
        status=SyncRun.Status.QUEUED,
        cursor=initial_cursor(kind),
    )


def run_sync(
    kind: str = "full",
    triggered_by_id: int | None = None,
    run_id: int | None = None,
    *,
    slice_seconds: float | None = SLICE_SECONDS,
) -> SyncRun:
    """A sync here and now, through the background runner (what `manage.py sync_klenty`
    calls with no time limit); a slice that runs out of time queues its continuation.

    Safe to run twice at once: only the holder of the run's lease works on it.
    """
    if kind not in SyncRun.Kind.values:
        raise ValueError(f"unknown sync kind {kind!r}")
    live = running_run()
    if run_id is None and live is not None:
        return live
    run = SyncRun.objects.get(pk=run_id) if run_id else start_or_resume(kind, triggered_by_id)
    background.run(KIND, run.pk, slice_seconds=slice_seconds or math.inf)
    run.refresh_from_db()
    return run


def scheduled_sync() -> str:
    """Scheduled every KLENTY_SYNC_MINUTES: resumes a stalled run, else syncs what changed."""
    if running_run() is not None:
        return "a sync is already running"
    stalled = stalled_runs().first()
    if stalled is not None:
        run = run_sync(stalled.kind, stalled.triggered_by_id, stalled.pk)
        return f"resumed sync run {run.pk}: {run.status}"
    run = run_sync(SyncRun.Kind.INCREMENTAL)
    return f"sync run {run.pk}: {run.status}"


def queue_sync(kind: str, user) -> SyncRun:
    """A view's "Sync now": the run (or the unfinished one of that kind), queued once
    the current transaction commits."""
    with transaction.atomic():
        run = start_or_resume(kind, user.pk if user else None)
        background.start(KIND, run.pk)
    return run


# -- what the status page shows -------------------------------------------------


def reads_done_and_planned(run: SyncRun) -> tuple[int, int]:
    """The sync's reads from Klenty so far and in all, by its cursor: one a day, one a
    list (an estimate: a long list takes a read a page) and the status checks' budget."""
    cursor = run.cursor or {}
    today = timezone.localdate()
    budget = settings.KLENTY_SYNC_STATUS_CHECKS
    if run.kind == SyncRun.Kind.FULL:
        start = timezone.localdate(run.started_at)
        first = start - timedelta(days=settings.KLENTY_SYNC_HISTORY_DAYS)
        days = (today - first).days + 1
        stages = {"lists": 1, "details": days, "pages": run.lists_total, "statuses": budget}
    else:
        last = (
            SyncRun.objects.filter(status=SyncRun.Status.DONE, started_at__lt=run.started_at)
            .order_by("-started_at")
            .first()
        )
        first = timezone.localdate(last.started_at if last else run.started_at)
        days = (today - first).days + 1
        stages = {"updates": days, "created": days, "statuses": budget}
    total = sum(stages.values())
    if run.status == SyncRun.Status.DONE:
        return total, total
    phase, done = cursor.get("phase"), 0
    for name, size in stages.items():
        if name == phase:
            if "day" in cursor:
                done += (date.fromisoformat(cursor["day"]) - first).days
            done += cursor.get("list", 0) + cursor.get("checked", 0)
            return min(max(done, 0), total), total
        done += size
    return 0, total


def progress_text(run: SyncRun) -> str:
    cursor = run.cursor or {}
    phase = cursor.get("phase")
    if phase == "lists":
        return "Reading Klenty's lists"
    if phase == "pages":
        names = cursor.get("lists", [])
        index = cursor.get("list", 0)
        name = names[index] if index < len(names) else ""
        return (
            f"List {min(index + 1, len(names))} of {len(names)} ({name}), "
            f"page {cursor.get('page', 1)}"
        )
    if phase == "details":
        return f"Reading prospects' details by creation day: {cursor.get('day')}"
    if phase == "updates":
        return f"Reading prospects updated on {cursor.get('day')}"
    if phase == "created":
        return f"Reading prospects created on {cursor.get('day')}"
    if phase == "statuses":
        return (
            f"Checking statuses: {cursor.get('checked', 0)} of "
            f"{settings.KLENTY_SYNC_STATUS_CHECKS} calls"
        )
    return ""
