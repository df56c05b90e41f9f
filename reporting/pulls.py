"""Copies Klenty's reports into the reporting tables, on a schedule or on demand.

Three pulls, each recorded as a PullRun (start, end, rows written, errors):

* ``engagement``: Email Engagements, one request per cadence and day, for the last
  ``REPORTS_BACKFILL_DAYS`` days. Days already stored are skipped, except the last
  ``REPORTS_REFRESH_DAYS`` (their counts still move), so the first run backfills and
  later runs only keep the recent days current. A day Klenty answers K2003 for has no
  data: it is stored as zeros and not asked again.
* ``stepwise``: StepWise Metric Engagement per cadence over the last
  ``REPORTS_STEPWISE_DAYS`` days, stored as that day's snapshot with each step's A/B
  options (a second run on the same day replaces the snapshot).
* ``calls``: Get Call completion details for every team member, page by page until
  ``hasMore`` is false, from the newest stored call's day (at most
  ``REPORTS_CALL_DAYS`` back, the API's window) to tomorrow (the end is exclusive).
  Calls are upserted by callSid, so each is stored once and history outlives Klenty's.

Every write is an upsert on a unique key, so running a pull twice does no harm. An
answer that still fails after the client's retries is recorded and the pull moves on
to the next cadence or member; what it missed is fetched by the next run.

A pull is one kind of background work, ``report_pull`` (klentyadmin.core.background):
its first step plans the run's items (the cadences' days, the cadences, the team
members) and every later step fetches one, so the one runner works it in slices
under a lease, and the one resume schedule takes over a run whose worker died: it
goes on with the items not fetched yet, and fetches nothing it already stored.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.dispatch import Signal
from django.utils import timezone

from klentyadmin.core import background, leases
from klentyadmin.integrations.errors import ApiAuthError, ApiError, ApiNotFound
from klentyadmin.integrations.klenty import Call as KlentyCall
from klentyadmin.integrations.klenty import KlentyClient, StepEngagement
from klentyadmin.integrations.klenty.target import klenty_target
from reporting.models import Call, EngagementDay, PullItem, PullRun, StepRow, StepSnapshot
from reporting.rollups import rebuild_call_days

log = logging.getLogger(__name__)

KIND = "report_pull"
State = PullItem.State
# A run queued this long ago and never picked up lost its task.
STALE_AFTER = timedelta(hours=2)
CALL_FIELDS = [
    "username",
    "called_on",
    "created_at",
    "start_time",
    "status",
    "disposition",
    "duration_seconds",
    "prospect_email",
    "prospect_name",
    "company",
    "prospect_owner",
    "cadence_name",
    "outcome",
]
SCHEDULE_NAMES = {
    PullRun.Kind.ENGAGEMENT: "reports: email engagement",
    PullRun.Kind.STEPWISE: "reports: step-wise engagement",
    PullRun.Kind.CALLS: "reports: calls",
}
# Says what an item of each pull is, for the progress summary.
FETCHED = {
    PullRun.Kind.ENGAGEMENT: "Days fetched",
    PullRun.Kind.STEPWISE: "Cadences fetched",
    PullRun.Kind.CALLS: "Members fetched",
}
NOT_FOUND = object()  # `ask`: Klenty's "no record found" is an error like any other
# Sent once a run has finished and its transaction committed (`run_id`): the alerts
# app evaluates its rules then, without this module knowing of it.
pull_finished = Signal()


def today() -> date:
    return timezone.now().astimezone(timezone.UTC).date()


class Unanswered(Exception):
    """Klenty did not answer one request, even after the client's retries: recorded,
    and the pull goes on without it."""


@dataclass
class PullSlice:
    """What one task's share of a pull works with: the client, the requests made
    since they were last counted, and the runner's slice (its lease checkpoint)."""

    client: KlentyClient
    requests: int = 0
    work: Any = None

    def ask(self, what: str, fn: Callable, *args, not_found: Any = NOT_FOUND) -> Any:
        """One request. K2003 answers `not_found` where given; a key Klenty refuses
        ends the run; any other failure raises Unanswered, named by `what`."""
        self.requests += 1
        try:
            return fn(*args)
        except ApiNotFound as exc:
            if not_found is NOT_FOUND:
                raise Unanswered(f"{what}: {exc}") from exc
            return not_found
        except ApiAuthError as exc:
            raise background.RunFailed(f"{what}: {exc}") from exc
        except ApiError as exc:
            raise Unanswered(f"{what}: {exc}") from exc

    def checkpoint(self) -> None:
        """Renews the lease between two requests of one item (a member's pages)."""
        if self.work is not None:
            self.work.checkpoint()

    def counted(self) -> int:
        made, self.requests = self.requests, 0
        return made


def start_run(kind: str, user=None) -> PullRun:
    return PullRun.objects.create(kind=kind, triggered_by=user)


# -- planning -------------------------------------------------------------------


def plan(run: PullRun, context: PullSlice) -> None:
    """The run's first step: one item per piece to fetch, created with the run's total
    in one transaction (a run killed before it commits plans again)."""
    until = today()
    errors = ""
    if run.kind == PullRun.Kind.CALLS:
        items = [PullItem(run=run, member=m, day=until) for m in klenty_target().team_emails]
    else:
        try:
            cadences = context.ask("Get Company Cadences", context.client.get_company_cadences)
        except Unanswered as exc:
            cadences, errors = [], str(exc)
        if run.kind == PullRun.Kind.ENGAGEMENT:
            stored = stored_days(until)
            items = [
                PullItem(run=run, cadence_name=c.name, cadence_id=c.id, day=day)
                for c in cadences
                for day in days_to_fetch(stored.get(c.name, set()), until)
            ]
        else:
            items = [
                PullItem(run=run, cadence_name=c.name, cadence_id=c.id, day=until) for c in cadences
            ]
    with transaction.atomic():
        PullItem.objects.bulk_create(items, batch_size=500)
        PullRun.objects.filter(pk=run.pk).update(
            total=len(items), errors=errors, requests=F("requests") + context.counted()
        )
    run.total = len(items)


def stored_days(until: date) -> dict[str, set[date]]:
    first = until - timedelta(days=settings.REPORTS_BACKFILL_DAYS - 1)
    stored: dict[str, set[date]] = {}
    rows = EngagementDay.objects.filter(day__gte=first).values_list("cadence_name", "day")
    for name, day in rows:
        stored.setdefault(name, set()).add(day)
    return stored


def record(run: PullRun, context: PullSlice, item: PullItem, state: str, message="", rows=0):
    """Marks the item and counts its rows and requests on the run (inside the
    transaction that stored what it fetched, so a kill leaves both or neither)."""
    background.get(KIND).mark(item, state, message)
    PullRun.objects.filter(pk=run.pk).update(
        rows=F("rows") + rows, requests=F("requests") + context.counted()
    )


# -- email engagement ---------------------------------------------------------


def days_to_fetch(stored: set[date], until: date) -> list[date]:
    first = until - timedelta(days=settings.REPORTS_BACKFILL_DAYS - 1)
    recent = until - timedelta(days=settings.REPORTS_REFRESH_DAYS - 1)
    days = (first + timedelta(days=n) for n in range((until - first).days + 1))
    return [day for day in days if day >= recent or day not in stored]


def fetch_engagement_day(run: PullRun, context: PullSlice, item: PullItem) -> None:
    what = f"{item.cadence_name} on {item.day}"
    empty = dict.fromkeys(EngagementDay.METRICS, 0)  # K2003: nothing happened that day
    try:
        result = context.ask(
            what,
            context.client.get_email_engagement,
            item.cadence_name,
            item.day,
            item.day,
            not_found=None,
        )
    except Unanswered as exc:
        with transaction.atomic():
            record(run, context, item, State.FAILED, str(exc))
            # Klenty failed even after retries: on to the next cadence.
            background.get(KIND).items(run).filter(
                state=State.PENDING, cadence_name=item.cadence_name
            ).update(state=State.SKIPPED, message=f"Not asked after {what} failed.")
        return
    values = empty if result is None else engagement_values(result)
    with transaction.atomic():
        EngagementDay.objects.update_or_create(
            cadence_name=item.cadence_name,
            day=item.day,
            defaults={**values, "cadence_id": item.cadence_id, "fetched_at": timezone.now()},
        )
        record(run, context, item, State.DONE, rows=1)


def engagement_values(result) -> dict[str, int]:
    return {
        "prospects_added": result.prospects_added,
        "in_cadence": result.in_cadence_count,
        "completed": result.prospects_completed,
        "opens": result.open_count,
        "clicks": result.link_count,
        "replies": result.reply_count,
        "unsubscribes": result.unsubscribe_count,
        "bounces": result.bounce_count,
        "positive": result.positive_count,
        "negative": result.negative_count,
    }


# -- step-wise engagement -----------------------------------------------------


def fetch_stepwise(run: PullRun, context: PullSlice, item: PullItem) -> None:
    end = item.day
    start = end - timedelta(days=settings.REPORTS_STEPWISE_DAYS - 1)
    try:
        steps = context.ask(
            item.cadence_name,
            context.client.get_stepwise_engagement,
            item.cadence_name,
            start,
            end,
            not_found=[],
        )
    except Unanswered as exc:
        record(run, context, item, State.FAILED, str(exc))
        return
    with transaction.atomic():
        rows = store_snapshot(item.cadence_name, item.cadence_id, end, start, steps)
        record(run, context, item, State.DONE, rows=rows)


def step_values(metrics, **extra) -> dict:
    return {
        "mails": metrics.mail_count,
        "opens": metrics.open_count,
        "replies": metrics.reply_count,
        "links": metrics.link_count,
        "positive": metrics.positive_reply,
        "negative": metrics.negative_reply,
        "template_name": metrics.template_name[:255],
        "subject": metrics.subject[:500],
        **extra,
    }


@transaction.atomic
def store_snapshot(
    cadence_name: str, cadence_id: str, taken_on: date, start: date, steps: list[StepEngagement]
) -> int:
    snapshot, _ = StepSnapshot.objects.update_or_create(
        cadence_name=cadence_name,
        taken_on=taken_on,
        defaults={
            "cadence_id": cadence_id,
            "range_start": start,
            "range_end": taken_on,
            "fetched_at": timezone.now(),
        },
    )
    snapshot.rows.all().delete()
    rows = []
    for step in steps:
        common = {"snapshot": snapshot, "step_number": step.step_number}
        rows.append(
            StepRow(
                **common,
                option=0,
                **step_values(
                    step,
                    step_type=step.step_type,
                    completed=step.completed,
                    tasks=step.task_count,
                    calls=step.call_count,
                    completed_calls_percent=step.completed_calls,
                ),
            )
        )
        rows.extend(
            StepRow(**common, option=o.option, **step_values(o, step_type=step.step_type))
            for o in step.options
            if o.option > 0
        )
    StepRow.objects.bulk_create(rows)
    return len(rows)


# -- calls --------------------------------------------------------------------


def call_row(call: KlentyCall) -> Call | None:
    when = call.created_at or call.start_time or call.end_time
    if not call.call_sid or when is None:
        return None
    name = call.full_name or " ".join(p for p in (call.first_name, call.last_name) if p)
    return Call(
        call_sid=call.call_sid[:64],
        username=call.username.strip().lower(),
        called_on=when.astimezone(timezone.UTC).date(),
        created_at=call.created_at,
        start_time=call.start_time,
        status=call.status[:32],
        disposition=call.disposition[:64],
        duration_seconds=max(call.duration_seconds, 0),
        prospect_email=call.email[:254],
        prospect_name=name[:300],
        company=call.company[:255],
        prospect_owner=call.prospect_owner[:254],
        cadence_name=call.cadence_name[:255],
        outcome=call.outcome[:64],
    )


@transaction.atomic
def store_calls(calls: list[KlentyCall]) -> set[date]:
    """Upsert calls by callSid and recount the days they fall on, together: a worker
    killed in between must not leave the charts' rollup behind the calls."""
    rows = {row.call_sid: row for row in map(call_row, calls) if row is not None}
    Call.objects.bulk_create(
        rows.values(),
        update_conflicts=True,
        unique_fields=["call_sid"],
        update_fields=CALL_FIELDS,
        batch_size=500,
    )
    days = {row.called_on for row in rows.values()}
    rebuild_call_days(days)
    return days


def calls_start(member: str, until: date) -> date:
    """The newest stored call's day (calls of that day may have arrived since), but
    never further back than the API's window."""
    oldest = until - timedelta(days=settings.REPORTS_CALL_DAYS)
    newest = (
        Call.objects.filter(username=member, called_on__gte=oldest)
        .order_by("-called_on")
        .values_list("called_on", flat=True)
        .first()
    )
    return max(newest or oldest, oldest)


def fetch_calls(run: PullRun, context: PullSlice, item: PullItem) -> None:
    until = item.day
    end = until + timedelta(days=1)  # endDate is exclusive: tomorrow takes in today
    client = context.client.as_user(item.member)
    try:
        calls = member_calls(context, client, calls_start(item.member, until), end)
    except Unanswered as exc:
        record(run, context, item, State.FAILED, str(exc))
        return
    with transaction.atomic():
        store_calls(calls)
        record(run, context, item, State.DONE, rows=len(calls))


def member_calls(context: PullSlice, client: KlentyClient, start: date, end: date) -> list:
    """Every page of one member's calls; Unanswered if a page failed.

    Pages come newest first and the next run starts from the newest stored day, so
    storing the first pages of a member whose later page failed would leave the
    older calls out for good. All or nothing per member keeps the start honest.
    """
    calls: list[KlentyCall] = []
    page = 0
    while True:
        what = f"Calls of {client.user_email}"
        result = context.ask(what, client.get_calls, start, end, page)
        calls.extend(result.calls)
        if not result.has_more or not result.calls:
            return calls
        page += 1
        context.checkpoint()


# -- the kind -------------------------------------------------------------------

FETCH: dict[str, Callable[[PullRun, PullSlice, PullItem], None]] = {
    PullRun.Kind.ENGAGEMENT: fetch_engagement_day,
    PullRun.Kind.STEPWISE: fetch_stepwise,
    PullRun.Kind.CALLS: fetch_calls,
}


@background.kind(KIND)
class ReportPulls(background.Kind):
    """The three pulls as one kind: the run's own `kind` says which one it is."""

    label = "Report pull"
    model = PullRun
    item_model = PullItem
    item_run_field = "run"
    # A first backfill takes longer than django-q2's task timeout under the rate limit.
    slice_seconds = 240

    def get(self, run_id: int) -> PullRun:
        return PullRun.objects.select_related("triggered_by").get(pk=run_id)

    def prepare(self, run: PullRun) -> PullSlice:
        return PullSlice(KlentyClient.from_settings(actor=run.triggered_by))

    def work_slice(self, run: PullRun, context: PullSlice, work: Any) -> bool:
        context.work = work  # a member's later pages renew the lease too
        return super().work_slice(run, context, work)

    def step(self, run: PullRun, context: PullSlice) -> bool:
        if run.total is None:
            plan(run, context)
            return True
        return super().step(run, context)

    def process_item(self, run: PullRun, context: PullSlice, item: PullItem) -> None:
        FETCH[run.kind](run, context, item)

    def finish(self, run: PullRun) -> None:
        """In the transaction that ends the run: its errors, and "Done with errors"
        where Klenty left anything unanswered."""
        failed = self.items(run).filter(state=State.FAILED).order_by("pk")
        planning = PullRun.objects.values_list("errors", flat=True).get(pk=run.pk)
        errors = [*filter(None, planning.splitlines()), *failed.values_list("message", flat=True)]
        status = PullRun.Status.PARTIAL if errors else PullRun.Status.DONE
        PullRun.objects.filter(pk=run.pk).update(errors="\n".join(errors[-50:]), status=status)
        transaction.on_commit(lambda: pull_finished.send(sender=PullRun, run_id=run.pk))

    def outcomes_for(self, run: PullRun) -> tuple[background.Outcome, ...]:
        return (
            background.Outcome("fetched", FETCHED[run.kind], Q(state=State.DONE)),
            background.Outcome("failed", "Failed", Q(state=State.FAILED), problem=True),
            background.Outcome("skipped", "Not asked", Q(state=State.SKIPPED), problem=True),
        )

    def progress(self, run: PullRun) -> background.Progress:
        return background.summarise(
            self.items(run),
            self.outcomes_for(run),
            # Not planned yet: nothing of one, 0% rather than all of nothing.
            total=run.total if run.total is not None else 1,
            finished=run.finished,
            started_at=run.started_at,
        )

    def title(self, run: PullRun) -> str:
        return f"The {run.get_kind_display().lower()} pull of {run.created_at:%Y-%m-%d %H:%M}"


# -- entry points ---------------------------------------------------------------


def run_pull(kind: str, user=None) -> PullRun:
    """Run one pull to the end in this process (the management command, tests)."""
    return work_here(start_run(kind, user))


def work_here(run: PullRun) -> PullRun:
    """Works the run in this process until it is finished. A slice out of time hands
    over to a queued continuation; with no worker to take it, this process goes on."""
    while True:
        background.run(KIND, run.pk)
        run.refresh_from_db()
        if run.finished or run.lease_until is not None:
            return run


def queue_pull(kind: str, user=None) -> PullRun:
    """A PullRun now, its work on the worker once this transaction commits."""
    run = start_run(kind, user)
    background.start(KIND, run.pk)
    return run


def is_running(kind: str) -> bool:
    """A run of this kind is queued or under way. One whose worker died counts too:
    the resume schedule takes it over within the minute."""
    return background.get(KIND).active().filter(kind=kind).exists()


def scheduled(kind: str) -> str:
    """The schedule's entry: a new run, worked here, unless one is under way."""
    mark_stale_runs()
    if is_running(kind):
        return "left to the run under way"
    run = start_run(kind)
    return background.run(KIND, run.pk)


def scheduled_engagement() -> str:
    return scheduled(PullRun.Kind.ENGAGEMENT)


def scheduled_stepwise() -> str:
    return scheduled(PullRun.Kind.STEPWISE)


def scheduled_calls() -> str:
    return scheduled(PullRun.Kind.CALLS)


def mark_stale_runs() -> int:
    """Runs queued long ago and never claimed lost their task: marked failed so the
    schedule starts afresh. (A claimed run whose worker died is resumed instead.)"""
    now = timezone.now()
    cutoff = now - STALE_AFTER
    return (
        PullRun.objects.filter(status=PullRun.Status.QUEUED)
        .filter(Q(created_at__lt=cutoff) | Q(started_at__lt=cutoff))
        .filter(leases.free(now))
        .update(
            status=PullRun.Status.FAILED,
            finished_at=now,
            error="No worker picked the run up (was the worker stopped?).",
        )
    )


def last_runs() -> dict[str, PullRun | None]:
    """Each kind's latest run (one query per kind: three)."""
    return {kind: PullRun.objects.filter(kind=kind).first() for kind in PullRun.Kind.values}
