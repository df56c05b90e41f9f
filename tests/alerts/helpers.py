"""Seeding the reporting tables the rules read."""

from __future__ import annotations

from datetime import date, timedelta

from django.utils import timezone

from alerts.models import AlertRule
from cadences.models import Cadence
from reporting.models import Call, CallDay, EngagementDay

MORGAN = "morgan.hale@northwind.example"
PRIYA = "priya.natarajan@northwind.example"


def today() -> date:
    return timezone.localdate()


def engagement(cadence: str, days_ago: int = 0, **counts) -> EngagementDay:
    row, _ = EngagementDay.objects.update_or_create(
        cadence_name=cadence, day=today() - timedelta(days=days_ago), defaults=counts
    )
    return row


def cadence(name: str, *owners: str) -> Cadence:
    return Cadence.objects.create(klenty_id=f"id-{name}", name=name, owners=list(owners))


def calls(username: str, n: int, days_ago: int = 0, cadence_name: str = "") -> None:
    day = today() - timedelta(days=days_ago)
    start = Call.objects.count()
    for i in range(n):
        Call.objects.create(
            call_sid=f"CA{start + i}",
            username=username,
            called_on=day,
            cadence_name=cadence_name,
        )
    CallDay.objects.update_or_create(
        day=day, username=username, disposition="", bucket=0, defaults={"calls": n}
    )


def rule(**fields) -> AlertRule:
    defaults = {
        "name": "A rule",
        "metric": "bounce_rate",
        "scope": "team",
        "condition": "above",
        "threshold": 2,
        "window_days": 7,
        "min_volume": 0,
    }
    return AlertRule.objects.create(**{**defaults, **fields})


def bounce(sandbox, email: str) -> None:
    """The sandbox sends the prospect's mail first, then bounces the next one."""
    for _ in range(3):
        if sandbox.activity(email, "bounce")["happened"] == "bounce":
            return
    raise AssertionError(f"the sandbox did not bounce {email}")
