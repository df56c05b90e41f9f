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
to the next cadence or member; what it missed is fetched by the next run. A scheduled
engagement run stops after ``SLICE_SECONDS`` and queues its own continuation, as the
first backfill can take longer than django-q2's task timeout under the rate limit.

One runner per run: it holds a lease on the PullRun, renewed as it works. A worker
killed mid-pull leaves its run "running" with a lapsed lease; the next scheduled pull
of that kind resumes that run instead of waiting hours for it to be declared dead.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django_q.tasks import async_task

from klentyadmin.core import leases
from klentyadmin.core.connections import klenty_target
from klentyadmin.core.leases import lease_seconds
from klentyadmin.integrations.errors import ApiAuthError, ApiError, ApiNotFound
from klentyadmin.integrations.klenty import Cadence, KlentyClient, StepEngagement
from klentyadmin.integrations.klenty import Call as KlentyCall
from reporting.models import Call, EngagementDay, PullRun, StepRow, StepSnapshot
from reporting.rollups import rebuild_call_days

log = logging.getLogger(__name__)

SLICE_SECONDS = 240
# A run still "running" after this died with its worker.
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


def today() -> date:
    return timezone.now().astimezone(timezone.UTC).date()


class Pull:
    """One PullRun in progress: counts rows and requests, collects errors."""

    def __init__(self, run: PullRun, deadline: float | None = None) -> None:
        self.run = run
        self.deadline = deadline
        self.errors: list[str] = list(filter(None, run.errors.splitlines()))
        self.fatal = False

    def out_of_time(self) -> bool:
        return self.deadline is not None and time.monotonic() > self.deadline

    def count_request(self) -> None:
        """Counts one request, first renewing the lease once half of it is used up."""
        self.run.requests += 1
        now = timezone.now()
        lease = self.run.lease_until
        if lease is None or lease - now < timedelta(seconds=lease_seconds() / 2):
            self.run.lease_until = now + timedelta(seconds=lease_seconds())
            PullRun.objects.filter(pk=self.run.pk, status=PullRun.Status.RUNNING).update(
                lease_until=self.run.lease_until
            )

    def call(self, what: str, fn: Callable, *args):
        """One API request; ApiErrors are recorded under `what` and answered None."""
        self.count_request()
        try:
            return fn(*args)
        except ApiAuthError as exc:
            self.errors.append(f"{what}: {exc}")
            self.fatal = True
        except ApiError as exc:
            self.errors.append(f"{what}: {exc}")
        return None

    def save(self, *, finished: bool) -> PullRun:
        run = self.run
        run.errors = "\n".join(self.errors[-50:])
        # Finished, or handing over to a continuation task that claims it afresh.
        run.lease_until = None
        if finished:
            run.finished_at = timezone.now()
            if self.fatal:
                run.status = PullRun.Status.FAILED
            else:
                run.status = PullRun.Status.PARTIAL if self.errors else PullRun.Status.DONE
        run.save()
        return run


def start_run(kind: str, user=None) -> PullRun:
    return PullRun.objects.create(kind=kind, triggered_by=user)


def claim(run_id: int) -> PullRun | None:
    """Takes the run's lease if it is still running and nobody holds it; the
    conditional UPDATE has one winner, so two tasks never work on one run."""
    lease = leases.claim(
        PullRun.objects.filter(status=PullRun.Status.RUNNING), run_id, lease_seconds()
    )
    return PullRun.objects.get(pk=run_id) if lease is not None else None


def client_for(user=None) -> KlentyClient:
    return KlentyClient.from_settings(actor=user)


# -- email engagement ---------------------------------------------------------


def days_to_fetch(stored: set[date], until: date) -> list[date]:
    first = until - timedelta(days=settings.REPORTS_BACKFILL_DAYS - 1)
    recent = until - timedelta(days=settings.REPORTS_REFRESH_DAYS - 1)
    days = (first + timedelta(days=n) for n in range((until - first).days + 1))
    return [day for day in days if day >= recent or day not in stored]


def pull_engagement(run_id: int, *, slice_seconds: float | None = None) -> PullRun:
    run = claim(run_id)
    if run is None:
        return PullRun.objects.get(pk=run_id)  # finished, or another runner has it
    deadline = time.monotonic() + slice_seconds if slice_seconds else None
    pull = Pull(run, deadline)
    client = client_for(run.triggered_by)
    cadences = pull.call("Get Company Cadences", client.get_company_cadences)
    if cadences is None:
        return pull.save(finished=True)
    until = today()
    first = until - timedelta(days=settings.REPORTS_BACKFILL_DAYS - 1)
    stored: dict[str, set[date]] = {}
    for name, day in EngagementDay.objects.filter(day__gte=first).values_list(
        "cadence_name", "day"
    ):
        stored.setdefault(name, set()).add(day)
    for cadence in cadences:
        for day in days_to_fetch(stored.get(cadence.name, set()), until):
            if pull.fatal:
                return pull.save(finished=True)
            if pull.out_of_time():
                pull.save(finished=False)
                async_task("reporting.pulls.continue_engagement", run.pk)
                return run
            if not fetch_engagement_day(pull, client, cadence, day):
                break  # Klenty failed even after retries: on to the next cadence.
    return pull.save(finished=True)


def fetch_engagement_day(pull: Pull, client: KlentyClient, cadence: Cadence, day: date) -> bool:
    try:
        pull.count_request()
        result = client.get_email_engagement(cadence.name, day, day)
        values = {
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
    except ApiNotFound:
        # K2003: nothing happened in this cadence that day.
        values = dict.fromkeys(EngagementDay.METRICS, 0)
    except ApiError as exc:
        pull.errors.append(f"{cadence.name} on {day}: {exc}")
        pull.fatal = pull.fatal or isinstance(exc, ApiAuthError)
        return False
    EngagementDay.objects.update_or_create(
        cadence_name=cadence.name,
        day=day,
        defaults={**values, "cadence_id": cadence.id, "fetched_at": timezone.now()},
    )
    pull.run.rows += 1
    return True


def continue_engagement(run_id: int) -> PullRun:
    return pull_engagement(run_id, slice_seconds=SLICE_SECONDS)


# -- step-wise engagement -----------------------------------------------------


def pull_stepwise(run_id: int) -> PullRun:
    run = claim(run_id)
    if run is None:
        return PullRun.objects.get(pk=run_id)
    pull = Pull(run)
    client = client_for(run.triggered_by)
    cadences = pull.call("Get Company Cadences", client.get_company_cadences)
    end = today()
    start = end - timedelta(days=settings.REPORTS_STEPWISE_DAYS - 1)
    for cadence in cadences or []:
        if pull.fatal:
            break
        try:
            pull.count_request()
            steps = client.get_stepwise_engagement(cadence.name, start, end)
        except ApiNotFound:
            steps = []
        except ApiError as exc:
            pull.errors.append(f"{cadence.name}: {exc}")
            pull.fatal = isinstance(exc, ApiAuthError)
            continue
        run.rows += store_snapshot(cadence, end, start, steps)
    return pull.save(finished=True)


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
def store_snapshot(cadence: Cadence, taken_on: date, start: date, steps: list[StepEngagement]):
    snapshot, _ = StepSnapshot.objects.update_or_create(
        cadence_name=cadence.name,
        taken_on=taken_on,
        defaults={
            "cadence_id": cadence.id,
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


def pull_calls(run_id: int) -> PullRun:
    run = claim(run_id)
    if run is None:
        return PullRun.objects.get(pk=run_id)
    pull = Pull(run)
    client = client_for(run.triggered_by)
    until = today()
    end = until + timedelta(days=1)  # endDate is exclusive: tomorrow takes in today
    for member in klenty_target().team_emails:
        if pull.fatal:
            break
        calls = member_calls(pull, client.as_user(member), calls_start(member, until), end)
        if calls is not None:
            store_calls(calls)
            run.rows += len(calls)
    return pull.save(finished=True)


def member_calls(pull: Pull, client: KlentyClient, start: date, end: date) -> list | None:
    """Every page of one member's calls, or None if a page failed.

    Pages come newest first and the next run starts from the newest stored day, so
    storing the first pages of a member whose later page failed would leave the
    older calls out for good. All or nothing per member keeps the start honest.
    """
    calls: list[KlentyCall] = []
    page = 0
    while True:
        result = pull.call(f"Calls of {client.user_email}", client.get_calls, start, end, page)
        if result is None:
            return None
        calls.extend(result.calls)
        if not result.has_more or not result.calls:
            return calls
        page += 1


# -- entry points ---------------------------------------------------------------

PULLS = {
    PullRun.Kind.ENGAGEMENT: pull_engagement,
    PullRun.Kind.STEPWISE: pull_stepwise,
    PullRun.Kind.CALLS: pull_calls,
}


def run_pull(kind: str, user=None) -> PullRun:
    """Run one pull to the end in this process (the management command, tests)."""
    run = start_run(kind, user)
    return PULLS[kind](run.pk)


def queue_pull(kind: str, user=None) -> PullRun:
    """A PullRun now, its work on the worker once this transaction commits."""
    run = start_run(kind, user)
    task = "reporting.pulls.continue_engagement" if kind == PullRun.Kind.ENGAGEMENT else None
    task = task or f"reporting.pulls.{PULLS[kind].__name__}"
    transaction.on_commit(lambda: async_task(task, run.pk))
    return run


def _lapsed(now: datetime) -> Q:
    return Q(lease_until__lt=now)


def is_running(kind: str) -> bool:
    """A run of this kind is being worked on (its lease is live) or is queued (started
    recently, never claimed: a "Refresh now", or a backfill handing over to its next
    slice): the schedule leaves it to finish."""
    now = timezone.now()
    return (
        PullRun.objects.filter(kind=kind, status=PullRun.Status.RUNNING)
        .filter(
            Q(lease_until__gte=now) | Q(lease_until__isnull=True, started_at__gte=now - STALE_AFTER)
        )
        .exists()
    )


def orphaned_run(kind: str) -> PullRun | None:
    """The latest run of this kind whose worker died mid-way (its lease lapsed)."""
    return (
        PullRun.objects.filter(kind=kind, status=PullRun.Status.RUNNING)
        .filter(_lapsed(timezone.now()))
        .first()
    )


def scheduled(kind: str, pull: Callable[[int], PullRun]) -> PullRun | None:
    """The schedule's entry: resume a run a dead worker left, or start one unless one
    is under way. Every pull skips what is already stored, so resuming loses nothing."""
    mark_stale_runs()
    orphan = orphaned_run(kind)
    if orphan is not None:
        log.warning("resuming %s pull %s: its worker stopped mid-way", kind, orphan.pk)
        return pull(orphan.pk)
    if is_running(kind):
        return None
    return pull(start_run(kind).pk)


def scheduled_engagement() -> None:
    scheduled(PullRun.Kind.ENGAGEMENT, continue_engagement)


def scheduled_stepwise() -> None:
    scheduled(PullRun.Kind.STEPWISE, pull_stepwise)


def scheduled_calls() -> None:
    scheduled(PullRun.Kind.CALLS, pull_calls)


def mark_stale_runs() -> int:
    """Runs whose worker died long ago (or that were never picked up) are marked
    failed; a run whose lease is live is still working, however long it takes."""
    now = timezone.now()
    cutoff = now - STALE_AFTER
    return (
        PullRun.objects.filter(status=PullRun.Status.RUNNING, started_at__lt=cutoff)
        .filter(leases.free(now))
        .update(
            status=PullRun.Status.FAILED,
            finished_at=now,
            lease_until=None,
            errors="The run stopped without finishing (the worker was restarted?).",
        )
    )


def last_runs() -> dict[str, PullRun | None]:
    """Each kind's latest run (one query per kind: three)."""
    return {kind: PullRun.objects.filter(kind=kind).first() for kind in PullRun.Kind.values}
