"""The state of the connection and of background work, for the home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django_q.models import Failure, OrmQ, Success

from klentyadmin.core import background, failures
from klentyadmin.core.models import ApiCall

if TYPE_CHECKING:
    from klentyadmin.accounts.models import User

HEARTBEAT_FUNC = "klentyadmin.core.tasks.heartbeat"
WORKER_STALE_AFTER = timedelta(minutes=3)


# Home's failures: this many of each kind's runs, from this far back, merged and cut to
# the newest RECENT_FAILURES, so Home's queries do not grow with the data.
RUNS_PER_KIND = 5
FAILURES_SINCE = timedelta(days=7)
RECENT_FAILURES = 8
RUNNER_FUNC = "klentyadmin.core.background.runner.run"


@dataclass(frozen=True)
class WorkerStatus:
    last_seen: datetime | None
    queued: int
    # One readable line each (core.failures), newest first; tracebacks stay in the Failure rows.
    recent_failures: list[failures.ReadableFailure]

    @property
    def alive(self) -> bool:
        return self.last_seen is not None and not worker_stale(self.last_seen)


def worker_stale(last_seen: datetime) -> bool:
    return timezone.now() - last_seen >= WORKER_STALE_AFTER


def last_heartbeat() -> datetime | None:
    return (
        Success.objects.filter(func=HEARTBEAT_FUNC)
        .order_by("-stopped")
        .values_list("stopped", flat=True)
        .first()
    )


def worker_status(viewer: User | None = None) -> WorkerStatus:
    """The worker's heartbeat and queue, and the recent failures `viewer` may see
    (everyone's for Managers and Admins; for a Rep only the failed runs they started:
    team-wide work is not theirs to act on)."""
    return WorkerStatus(
        last_seen=last_heartbeat(),
        queued=OrmQ.objects.count(),
        recent_failures=recent_failures(viewer),
    )


def recent_failures(viewer: User | None = None) -> list[failures.ReadableFailure]:
    """Failed runs of every kind and django-q2's failed tasks, newest first. A task that
    failed while working a run listed here is told once, as that run, with its details."""
    team_wide = viewer is None or viewer.is_manager_or_admin
    tasks = list(
        Failure.objects.order_by("-stopped").only("id", "func", "args", "stopped", "result")[
            :RECENT_FAILURES
        ]
        if team_wide
        else []
    )
    # The runner's args are (kind, run id).
    runner_tasks = {
        (str(task.args[0]), str(task.args[1])): task
        for task in reversed(tasks)
        if task.func == RUNNER_FUNC and task.args and len(task.args) == 2
    }
    lines = []
    for run_kind, run in failed_runs(None if team_wide else viewer):
        task = runner_tasks.pop((run_kind.name, str(run.pk)), None)
        if task is not None:
            tasks.remove(task)
        lines.append(failures.readable_run(run_kind, run, task_id=task.id if task else ""))
    lines.extend(failures.readable(task) for task in tasks)
    lines.sort(key=lambda line: line.stopped or datetime.min.replace(tzinfo=UTC), reverse=True)
    return lines[:RECENT_FAILURES]


def failed_runs(created_by: User | None = None) -> list[tuple[background.Kind, object]]:
    """The newest runs of each kind that did not end well: one query per kind. With
    `created_by`, only the runs that user started (kinds whose runs name no starter
    have none)."""
    since = timezone.now() - FAILURES_SINCE
    found = []
    for run_kind in background.KINDS.values():
        runs = run_kind.failed().filter(finished_at__gte=since)
        if created_by is not None:
            if not any(f.name == "created_by" for f in run_kind.model._meta.get_fields()):
                continue
            runs = runs.filter(created_by=created_by)
        found.extend((run_kind, run) for run in runs.order_by("-finished_at")[:RUNS_PER_KIND])
    return found


def api_health(since: timedelta = timedelta(hours=24)) -> list[dict]:
    """Per service and endpoint: calls, failures and mean duration, summed in SQL."""
    return list(
        ApiCall.objects.filter(created_at__gte=timezone.now() - since)
        .values("service", "endpoint")
        .annotate(
            calls=Count("id"),
            failures=Count("id", filter=~Q(error="")),
            mean_ms=Avg("duration_ms"),
        )
        .order_by("service", "endpoint")
    )
