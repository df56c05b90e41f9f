"""The two built-in checks that are not figures: webhook silence and stale syncs.

Both read a handful of rows (a MAX, the latest run of each kind), so they cost a few
queries per evaluation whatever the history's size.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Max

from alerts.metrics import Reading
from alerts.models import AlertRule
from cadences.models import Event
from prospects.bulk import IN_CADENCE
from prospects.models import Prospect, SyncRun
from reporting.models import PullRun

FAILED = {"failed"}
SUCCEEDED = {"done", "partial"}


def cadences_running() -> bool:
    return Prospect.objects.filter(cadence_status=IN_CADENCE).exists()


def webhook_silence(rule: AlertRule, now: datetime) -> list[Reading]:
    """Fires when no webhook event arrived for `threshold` hours while any prospect is
    in a cadence (Klenty sends events as cadences run: silence means the webhook or
    our receiver is broken). The value is the hours since the last event."""
    if not cadences_running():
        return [Reading("team", "", None, None, False)]
    last = Event.objects.aggregate(last=Max("received_at"))["last"]
    hours = None if last is None else round((now - last).total_seconds() / 3600, 1)
    firing = hours is None or hours > rule.threshold
    return [Reading("team", "", hours, None, firing)]


def sources() -> list[tuple[str, object]]:
    """(name, latest runs' queryset) of every sync and pull that runs on a schedule."""
    found: list[tuple[str, object]] = [
        (f"{label.lower()} prospect sync", SyncRun.objects.filter(kind=kind))
        for kind, label in SyncRun.Kind.choices
    ]
    found += [
        (f"{label.lower()} pull", PullRun.objects.filter(kind=kind))
        for kind, label in PullRun.Kind.choices
    ]
    return found


def sync_health(rule: AlertRule, now: datetime) -> list[Reading]:
    """One reading per sync and pull that has run at least once: it fires when the
    latest finished run failed, or when none succeeded for `threshold` hours. The
    value is the hours since the last success (None: never)."""
    readings = []
    stale_after = timedelta(hours=rule.threshold)
    for name, runs in sources():
        latest = runs.exclude(finished_at=None).order_by("-finished_at").first()
        if latest is None:
            continue  # never ran: nothing to say yet
        success = (
            runs.filter(status__in=SUCCEEDED, finished_at__isnull=False)
            .order_by("-finished_at")
            .values_list("finished_at", flat=True)
            .first()
        )
        hours = None if success is None else round((now - success).total_seconds() / 3600, 1)
        failing = latest.status in FAILED
        stale = success is None or now - success > stale_after
        readings.append(Reading("sync", name, hours, None, failing or stale))
    return readings
