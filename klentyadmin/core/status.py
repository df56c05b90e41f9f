"""The state of the connection and of background work, for the home page."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Avg, Count, Q
from django.utils import timezone
from django_q.models import Failure, OrmQ, Success

from klentyadmin.core import failures
from klentyadmin.core.models import ApiCall

HEARTBEAT_FUNC = "klentyadmin.core.tasks.heartbeat"
WORKER_STALE_AFTER = timedelta(minutes=3)


@dataclass(frozen=True)
class WorkerStatus:
    last_seen: datetime | None
    queued: int
    # One readable line each (core.failures); the tracebacks stay in the Failure rows.
    recent_failures: list[failures.ReadableFailure]

    @property
    def alive(self) -> bool:
        return self.last_seen is not None and timezone.now() - self.last_seen < WORKER_STALE_AFTER


def worker_status(*, with_failures: bool = True) -> WorkerStatus:
    """The worker's heartbeat and queue; the recent failures only when asked (Reps do
    not see them: team-wide work is not theirs to act on, and their own runs show
    their errors on the run's page)."""
    last = (
        Success.objects.filter(func=HEARTBEAT_FUNC)
        .order_by("-stopped")
        .values_list("stopped", flat=True)
        .first()
    )
    recent = (
        [
            failures.readable(failure)
            for failure in Failure.objects.order_by("-stopped").only(
                "id", "func", "args", "stopped", "result"
            )[:5]
        ]
        if with_failures
        else []
    )
    return WorkerStatus(last_seen=last, queued=OrmQ.objects.count(), recent_failures=recent)


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
