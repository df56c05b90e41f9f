"""The call rollups: calls grouped by day, rep, disposition and duration bucket
(CallDay), and by day, rep, disposition and prospect outcome (CallOutcomeDay).

Rebuilt per day from the stored calls with one GROUP BY, inside a transaction, so a
day's rows always match its calls; rebuilding a day twice gives the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.db import transaction
from django.db.models import Case, Count, IntegerField, Sum, Value, When

from reporting.models import Call, CallDay, CallOutcomeDay

DURATION_BUCKETS = [  # (upper bound in seconds, label)
    (30, "< 30 s"),
    (60, "30 s–1 min"),
    (120, "1–2 min"),
    (300, "2–5 min"),
    (600, "5–10 min"),
    (1200, "10–20 min"),
    (None, "20 min +"),
]
DAYS_PER_STATEMENT = 31


def duration_bucket() -> Case:
    whens = [
        When(duration_seconds__lt=upper, then=Value(index))
        for index, (upper, _label) in enumerate(DURATION_BUCKETS)
        if upper is not None
    ]
    return Case(*whens, default=Value(len(DURATION_BUCKETS) - 1), output_field=IntegerField())


def rebuild_call_days(days: Iterable[date]) -> int:
    """Recount the given days; answers how many rollup rows they now have."""
    ordered = sorted(set(days))
    written = 0
    for first in range(0, len(ordered), DAYS_PER_STATEMENT):
        chunk = ordered[first : first + DAYS_PER_STATEMENT]
        groups = (
            Call.objects.filter(called_on__in=chunk)
            .annotate(bucket=duration_bucket())
            .values("called_on", "username", "disposition", "bucket")
            .annotate(n=Count("id"), total=Sum("duration_seconds"))
            .order_by()
        )
        rows = [
            CallDay(
                day=g["called_on"],
                username=g["username"],
                disposition=g["disposition"],
                bucket=g["bucket"],
                calls=g["n"],
                seconds=g["total"] or 0,
            )
            for g in groups
        ]
        outcomes = [
            CallOutcomeDay(
                day=g["called_on"],
                username=g["username"],
                disposition=g["disposition"],
                outcome=g["outcome"],
                calls=g["n"],
            )
            for g in Call.objects.filter(called_on__in=chunk)
            .values("called_on", "username", "disposition", "outcome")
            .annotate(n=Count("id"))
            .order_by()
        ]
        with transaction.atomic():
            CallDay.objects.filter(day__in=chunk).delete()
            CallDay.objects.bulk_create(rows, batch_size=2000)
            CallOutcomeDay.objects.filter(day__in=chunk).delete()
            CallOutcomeDay.objects.bulk_create(outcomes, batch_size=2000)
        written += len(rows)
    return written


def rebuild_all() -> int:
    days = Call.objects.order_by().values_list("called_on", flat=True).distinct()
    return rebuild_call_days(days)
