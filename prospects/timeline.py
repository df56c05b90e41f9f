"""A prospect's timeline: everything that happened to it, in one stream, newest first.

Each kind of happening has one source function that reads its own table and answers
`Entry` rows: Klenty's webhook events, our bulk actions and their outcome, edits with
their before and after values (from the audit log, see prospects/edits.py), calls,
CRM transfers and Snov.io verifications and pushes. `timeline_page` asks every source
for one page older than a cursor and merges them, so a page costs one query per
source however long the history is; "Show older" asks for the next page from the
last entry shown.

The caller has already checked that the user may see the prospect (the detail view's
`visible_prospect`); sources that are scoped per user (events, calls) are still read
through their `visible_to`, so a Rep never sees another rep's calls with it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import F, Q, QuerySet
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.dateparse import parse_datetime

from cadences.models import Event
from contacts.models import Transfer, TransferItem
from enrichment.models import EnrichmentPush, VerificationItem
from klentyadmin.core.models import AuditEntry, Service
from klentyadmin.lib.event_labels import event_label
from prospects.models import BulkJobItem, Prospect
from reporting.models import Call

PAGE_SIZE = 25


@dataclass(frozen=True)
class Entry:
    """One line of the timeline, whatever its kind."""

    when: datetime
    kind: str
    pk: int
    label: str
    detail: str = ""
    actor: str = ""
    outcome: str = ""
    failed: bool = False
    url: str = ""
    # Edits: (field label, before, after) per changed field.
    changes: tuple[tuple[str, str, str], ...] = field(default_factory=tuple)

    @property
    def key(self) -> tuple[datetime, int, int]:
        return (self.when, KINDS.index(self.kind), self.pk)

    @property
    def cursor(self) -> str:
        return f"{self.when.isoformat()}~{self.kind}~{self.pk}"


@dataclass(frozen=True)
class Cursor:
    """The last entry a page showed: the next page starts just older than it."""

    when: datetime
    kind: str
    pk: int

    @classmethod
    def parse(cls, text: str) -> Cursor | None:
        """None for anything that is not a cursor this module wrote."""
        parts = (text or "").split("~")
        if len(parts) != 3 or parts[1] not in KINDS or not parts[2].isdigit():
            return None
        try:
            when = parse_datetime(parts[0])
        except ValueError:
            return None
        if when is None or when.tzinfo is None:
            return None
        return cls(when=when, kind=parts[1], pk=int(parts[2]))


@dataclass(frozen=True)
class Page:
    entries: list[Entry]
    older: str  # the cursor of the next page, or "" when this is the oldest


def _older_than(rows: QuerySet, kind: str, cursor: Cursor | None) -> QuerySet:
    """Rows strictly older than the cursor in the timeline's order (when, kind, pk),
    newest first, as the database can answer it; `rows` carries a `when` annotation."""
    if cursor is not None:
        mine, theirs = KINDS.index(kind), KINDS.index(cursor.kind)
        if mine < theirs:
            rows = rows.filter(when__lte=cursor.when)
        elif mine > theirs:
            rows = rows.filter(when__lt=cursor.when)
        else:
            rows = rows.filter(Q(when__lt=cursor.when) | Q(when=cursor.when, pk__lt=cursor.pk))
    return rows.order_by("-when", "-pk")


def _person(user) -> str:
    if user is None:
        return ""
    return user.get_full_name() or user.username


def _duration(seconds: int) -> str:
    minutes, rest = divmod(seconds, 60)
    if not minutes:
        return f"{rest} second{'' if rest == 1 else 's'}"
    return f"{minutes} min {rest:02d} s"


# -- the sources, one per kind ----------------------------------------------------


def webhook_events(prospect: Prospect, user, cursor: Cursor | None, limit: int) -> list[Entry]:
    """Klenty's webhook deliveries about the prospect (by id, or by email before the
    prospect reached the cache)."""
    rows = (
        Event.objects.visible_to(user)
        .filter(Q(prospect=prospect) | Q(email=prospect.email))
        .annotate(when=F("received_at"))
    )
    return [
        Entry(
            when=e.when,
            kind="event",
            pk=e.pk,
            label=event_label(e.event_type),
            detail=" · ".join(part for part in (e.cadence_name, e.applied) if part),
            actor="Klenty",
        )
        for e in _older_than(rows, "event", cursor)[:limit]
    ]


def _involving(prospect: Prospect, user, creator: str) -> Q:
    """Rows of work on the prospect, or on its email before it was cached. For a Rep,
    rows matched by email alone must be their own work: another rep's import or
    verification of the same address is theirs, not this prospect's history."""
    by_email = Q(email=prospect.email)
    if not user.is_manager_or_admin:
        by_email &= Q(**{creator: user})
    return Q(prospect=prospect) | by_email


def _may_open(user, creator_id: int | None) -> bool:
    return user.is_manager_or_admin or creator_id == user.pk


def _job_items(prospect: Prospect, user) -> QuerySet:
    return (
        BulkJobItem.objects.filter(_involving(prospect, user, "job__created_by"))
        .select_related("job", "job__created_by")
        .annotate(when=Coalesce("finished_at", "job__created_at"))
    )


def _snov_import_jobs():
    return EnrichmentPush.objects.values("import_job_id")


def _job_entry(item: BulkJobItem, user, kind: str, label: str) -> Entry:
    job = item.job
    may_open = _may_open(user, job.created_by_id)
    return Entry(
        when=item.when,
        kind=kind,
        pk=item.pk,
        label=label,
        detail=job.description,
        actor=_person(job.created_by),
        outcome=" · ".join(part for part in (item.get_state_display(), item.message) if part),
        failed=item.state == BulkJobItem.State.FAILED,
        url=reverse("prospects:job", args=[job.pk]) if may_open else "",
    )


def bulk_actions(prospect: Prospect, user, cursor: Cursor | None, limit: int) -> list[Entry]:
    """Our bulk actions on the prospect and each one's outcome (the imports that a
    CRM transfer or a Snov.io push started are theirs, below)."""
    rows = _job_items(prospect, user).exclude(job__in=_snov_import_jobs())
    rows = rows.filter(job__crm_transfer__isnull=True)
    return [
        _job_entry(item, user, "bulk", f"Bulk action: {item.job.get_action_display()}")
        for item in _older_than(rows, "bulk", cursor)[:limit]
    ]


def edits(prospect: Prospect, user, cursor: Cursor | None, limit: int) -> list[Entry]:
    """Writes to Klenty that changed the prospect, with each field before and after."""
    rows = (
        AuditEntry.objects.filter(
            service=Service.KLENTY, target=prospect.email, details__has_key="changes"
        )
        .select_related("actor")
        .annotate(when=F("created_at"))
    )
    entries = []
    for audit in _older_than(rows, "edit", cursor)[:limit]:
        via = audit.details.get("via") or {}
        if audit.action == "create_prospect":
            label = "Created in Klenty"
        elif via:
            label = f"Changed by the bulk action “{via.get('action', '')}”"
        else:
            label = "Edited"
        changes = tuple(
            (c.get("label", ""), c.get("before", ""), c.get("after", ""))
            for c in audit.details.get("changes", [])
        )
        entries.append(
            Entry(
                when=audit.when,
                kind="edit",
                pk=audit.pk,
                label=label,
                actor=_person(audit.actor) or audit.actor_name or "system",
                changes=changes,
            )
        )
    return entries


def calls(prospect: Prospect, user, cursor: Cursor | None, limit: int) -> list[Entry]:
    """Completed calls with the prospect (a Rep sees the calls they made)."""
    rows = (
        Call.objects.visible_to(user)
        .filter(prospect_email=prospect.email)
        .annotate(when=Coalesce("start_time", "created_at"))
        .exclude(when__isnull=True)
    )
    return [
        Entry(
            when=call.when,
            kind="call",
            pk=call.pk,
            label=f"Call: {call.disposition or call.status or 'no disposition'}",
            detail=" · ".join(
                part for part in (_duration(call.duration_seconds), call.cadence_name) if part
            ),
            actor=call.username,
            outcome=call.outcome,
        )
        for call in _older_than(rows, "call", cursor)[:limit]
    ]


def crm_transfers(prospect: Prospect, user, cursor: Cursor | None, limit: int) -> list[Entry]:
    """The prospect pushed to the CRM, or a CRM contact with its email not sent to Klenty."""
    rows = (
        TransferItem.objects.filter(_involving(prospect, user, "transfer__created_by"))
        .select_related("transfer", "transfer__created_by")
        .annotate(when=Coalesce("finished_at", "transfer__created_at"))
    )
    entries = []
    for item in _older_than(rows, "crm_transfer", cursor)[:limit]:
        transfer = item.transfer
        pushed = transfer.direction == Transfer.Direction.TO_CRM
        entries.append(
            Entry(
                when=item.when,
                kind="crm_transfer",
                pk=item.pk,
                label="Sent to the CRM" if pushed else "Imported from the CRM",
                actor=_person(transfer.created_by),
                outcome=" · ".join(
                    part for part in (item.get_state_display(), item.message) if part
                ),
                failed=item.state in {TransferItem.State.FAILED, TransferItem.State.INVALID},
                url=reverse("contacts:transfer", args=[transfer.pk])
                if _may_open(user, transfer.created_by_id)
                else "",
            )
        )
    return entries


def crm_imports(prospect: Prospect, user, cursor: Cursor | None, limit: int) -> list[Entry]:
    """CRM contacts with the prospect's email sent to Klenty (by the bulk engine)."""
    rows = _job_items(prospect, user).filter(job__crm_transfer__isnull=False)
    return [
        _job_entry(item, user, "crm_import", "Imported from the CRM into Klenty")
        for item in _older_than(rows, "crm_import", cursor)[:limit]
    ]


def snov_verifications(prospect: Prospect, user, cursor: Cursor | None, limit: int) -> list[Entry]:
    """Snov.io's verdicts on the prospect's email."""
    rows = (
        VerificationItem.objects.filter(_involving(prospect, user, "run__created_by"))
        .select_related("run", "run__created_by")
        .annotate(when=Coalesce("finished_at", "run__created_at"))
    )
    entries = []
    for item in _older_than(rows, "snov_verification", cursor)[:limit]:
        verdict = item.status.replace("_", " ")
        entries.append(
            Entry(
                when=item.when,
                kind="snov_verification",
                pk=item.pk,
                label="Email verified by Snov.io",
                actor=_person(item.run.created_by),
                outcome=" · ".join(
                    part for part in (item.get_state_display(), verdict, item.reason) if part
                ),
                failed=item.status == "not_valid",
                url=reverse("enrichment:verification_run", args=[item.run_id])
                if _may_open(user, item.run.created_by_id)
                else "",
            )
        )
    return entries


def snov_pushes(prospect: Prospect, user, cursor: Cursor | None, limit: int) -> list[Entry]:
    """The prospect sent to Klenty from a Snov.io search."""
    rows = _job_items(prospect, user).filter(job__in=_snov_import_jobs())
    return [
        _job_entry(item, user, "snov_push", "Sent to Klenty from Snov.io")
        for item in _older_than(rows, "snov_push", cursor)[:limit]
    ]


Source = Callable[[Prospect, object, Cursor | None, int], list[Entry]]
# The kinds in their tie-breaking order (entries at the same moment), with their source.
SOURCES: dict[str, Source] = {
    "event": webhook_events,
    "bulk": bulk_actions,
    "edit": edits,
    "call": calls,
    "crm_transfer": crm_transfers,
    "crm_import": crm_imports,
    "snov_verification": snov_verifications,
    "snov_push": snov_pushes,
}
KINDS = list(SOURCES)


def timeline_page(
    prospect: Prospect, user, cursor: Cursor | None = None, size: int = PAGE_SIZE
) -> Page:
    """The `size` newest entries older than `cursor`, from every source."""
    # One more than a page from each: if any is left over, there is an older page.
    found = [e for source in SOURCES.values() for e in source(prospect, user, cursor, size + 1)]
    found.sort(key=lambda e: e.key, reverse=True)
    entries = found[:size]
    older = entries[-1].cursor if len(found) > size else ""
    return Page(entries=entries, older=older)
