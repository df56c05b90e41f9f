"""The one runner: a django-q2 task that works any kind's run, slice by slice."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from klentyadmin.core import leases
from klentyadmin.core.background.models import RunStatus
from klentyadmin.core.background.registry import KINDS, Kind, get

log = logging.getLogger(__name__)

TASK = "klentyadmin.core.background.runner.run"


class RunFailed(Exception):
    """Raised by a kind when its run cannot go on: the run ends "failed" with this message."""


class Stopped(Exception):
    """The run is no longer this runner's: cancelled, finished, or taken over."""


@dataclass
class Slice:
    """One task's share of a run: its deadline and the lease it holds."""

    kind: Kind
    run_id: int
    lease: datetime
    deadline: float = field(default=0.0)

    def time_left(self) -> bool:
        return time.monotonic() < self.deadline

    def checkpoint(self) -> None:
        """Renews the lease before the next piece of work; stops the task if the run
        was cancelled or another runner took it over since."""
        lease = leases.renew(
            self.kind.running(), self.run_id, self.kind.lease_seconds(), held=self.lease
        )
        if lease is None:
            raise Stopped
        self.lease = lease


def queue(kind: str, run_id: int) -> None:
    from django_q.tasks import async_task

    async_task(TASK, kind, run_id, task_name=f"{kind} {run_id}")


def start(kind: str, run_id: int) -> None:
    """Queues the run once the transaction that made it commits (a worker must never
    read uncommitted rows)."""
    get(kind)  # an unknown kind fails here, in front of the caller, not in the worker
    transaction.on_commit(lambda: queue(kind, run_id))


def run(kind_name: str, run_id: int, *, slice_seconds: float | None = None) -> str:
    """The django-q2 task. Safe to run twice at once: only the lease holder works.
    `slice_seconds` overrides the kind's slice (math.inf: to the end, as a command does)."""
    kind = get(kind_name)
    now = timezone.now()
    lease = leases.claim(
        kind.active(), run_id, kind.lease_seconds(), now=now, status=RunStatus.RUNNING
    )
    if lease is None:
        return "not claimed: finished, cancelled, or another runner holds the lease"
    kind.runs().filter(pk=run_id, started_at__isnull=True).update(started_at=now)
    seconds = kind.slice_seconds if slice_seconds is None else slice_seconds
    work = Slice(kind, run_id, lease, time.monotonic() + seconds)
    try:
        run = kind.get(run_id)
        context = kind.prepare(run)
        kind.recover(run, context)
        if not kind.work_slice(run, context, work):
            # Out of time for this slice: hand over to a fresh task.
            if not leases.release(kind.running(), run_id, held=work.lease):
                raise Stopped
            kind.queue(run_id)
            return "continued in a new task"
        with transaction.atomic():
            # What the kind does at the end commits with the status, or not at all.
            if not end(kind, run_id, work.lease, status=RunStatus.DONE):
                raise Stopped
            kind.finish(run)
        return "done"
    except Stopped:
        return "stopped: cancelled, or another runner took over"
    except RunFailed as exc:
        end(kind, run_id, work.lease, status=RunStatus.FAILED, error=str(exc))
        return "failed"
    except Exception as exc:
        # A bug, or the database gone: the run says so rather than looking alive
        # for ever; the traceback goes to django-q2's failed tasks.
        log.exception("%s %s failed", kind_name, run_id)
        if kind.fail_on_error:
            error = f"Stopped by an error: {exc}"
            end(kind, run_id, work.lease, status=RunStatus.FAILED, error=error)
        raise


def end(kind: Kind, run_id: int, held: datetime, *, status: str, error: str = "") -> bool:
    # Kinds whose model predates BackgroundRun may have no `error` column yet.
    has_error = any(f.name == "error" for f in kind.model._meta.get_fields())
    also_set = {"error": error[:5000]} if has_error else {}
    return leases.release(
        kind.running(), run_id, held=held, status=status, finished_at=timezone.now(), **also_set
    )


def resume_stalled() -> int:
    """Scheduled every minute: re-queues every kind's runs whose runner died (lease lapsed)."""
    count = 0
    for kind in KINDS.values():
        for run_id in kind.stalled().values_list("pk", flat=True):
            kind.queue(run_id)
            count += 1
    return count
