"""When people answer: opens and replies by weekday and hour, in the viewer's zone.

Counted from the webhook events' own timestamps (Klenty's `occurred_at`, else when we
received the delivery), grouped in SQL by the weekday and hour they fall on in the
viewer's time zone: Extract with `tzinfo` converts in the database on SQLite and
PostgreSQL alike, so one GROUP BY of at most 2 x 7 x 24 rows answers the page however
many events are stored. A Rep counts only events about their own prospects.
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count
from django.db.models.functions import Coalesce, ExtractHour, ExtractIsoWeekDay
from django.utils import timezone

from cadences.models import Event
from reporting.charts import Chart, layout

WINDOW_DAYS = 90
WEEKDAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]
HOURS = [f"{h:02d}:00" for h in range(24)]
# Klenty's event names for each heatmap; a first reply also arrives as a "reply".
KINDS = {"opens": ("open",), "replies": ("reply",)}
# From near-white for none to the palette's colour for the busiest hour.
SCALES = {
    "opens": [[0, "#f8fafc"], [1, "#1d4ed8"]],
    "replies": [[0, "#f8fafc"], [1, "#15803d"]],
}


@dataclass
class AnswerTimes:
    zone: zoneinfo.ZoneInfo
    since: datetime
    grids: dict[str, list[list[int]]]
    charts: list[Chart]

    @property
    def totals(self) -> dict[str, int]:
        return {kind: sum(map(sum, grid)) for kind, grid in self.grids.items()}


def counts(user, zone: zoneinfo.ZoneInfo, since: datetime) -> dict[str, list[list[int]]]:
    """{"opens": 7 x 24 counts, "replies": ...}, Monday first, hours 0-23 in `zone`."""
    kind_of = {name: kind for kind, names in KINDS.items() for name in names}
    rows = (
        Event.objects.visible_to(user)
        .filter(event_type__in=kind_of, received_at__gte=since)
        .annotate(at=Coalesce("occurred_at", "received_at"))
        .annotate(weekday=ExtractIsoWeekDay("at", tzinfo=zone), hour=ExtractHour("at", tzinfo=zone))
        .values("event_type", "weekday", "hour")
        .annotate(n=Count("id"))
        .order_by()
    )
    grids = {kind: [[0] * 24 for _ in WEEKDAYS] for kind in KINDS}
    for row in rows:
        grids[kind_of[row["event_type"]]][row["weekday"] - 1][row["hour"]] += row["n"]
    return grids


def heatmap(kind: str, grid: list[list[int]], zone: zoneinfo.ZoneInfo) -> Chart:
    title = f"{kind.capitalize()} by weekday and hour ({zone.key})"
    trace = {
        "type": "heatmap",
        "name": kind.capitalize(),
        "x": HOURS,
        "y": WEEKDAYS,
        "z": grid,
        "colorscale": SCALES[kind],
        "hovertemplate": f"%{{y}} %{{x}}: %{{z}} {kind}<extra></extra>",
        "xgap": 1,
        "ygap": 1,
    }
    rows = [
        [day, hour, grid[d][h]] for d, day in enumerate(WEEKDAYS) for h, hour in enumerate(HOURS)
    ]
    return Chart(
        f"answer_{kind}",
        title,
        {
            "data": [trace],
            "layout": layout(
                title,
                height=300,
                hovermode="closest",
                yaxis={"autorange": "reversed", "rangemode": "normal", "gridcolor": "#ffffff"},
                xaxis={"dtick": 2, "gridcolor": "#ffffff"},
            ),
        },
        ["weekday", "hour", kind],
        rows if any(map(any, grid)) else [],
    )


def answer_times(user, now: datetime | None = None) -> AnswerTimes:
    zone = user.zone
    since = (now or timezone.now()) - timedelta(days=WINDOW_DAYS)
    grids = counts(user, zone, since)
    charts = [heatmap(kind, grids[kind], zone) for kind in KINDS]
    return AnswerTimes(zone, since, grids, charts)
