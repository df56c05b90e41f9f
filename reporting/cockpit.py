"""Home's numbers: the team's (or a Rep's own) figures for today, this week and this
month, each against the period before, with a 30-day sparkline.

Everything is read from what the pulls store, summed in SQL by day: one query for
email engagement (EngagementDay) and one for calls by disposition and outcome
(CallOutcomeDay: meetings are the calls with the meeting outcome), whatever the
history holds. A Rep's engagement is that of
the cadences they own (Klenty reports engagement per cadence only); their calls are
the calls they made.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import QuerySet, Sum

from reporting import pulls, scope
from reporting.models import CallOutcomeDay, EngagementDay
from reporting.periods import DAY, MONTH, WEEK, Period

if TYPE_CHECKING:
    from klentyadmin.accounts.models import User

SPARK_DAYS = 30
ENGAGEMENT = [  # (EngagementDay field, label)
    ("prospects_added", "Prospects added"),
    ("opens", "Opens"),
    ("replies", "Replies"),
    ("positive", "Positive replies"),
    ("bounces", "Bounces"),
    ("unsubscribes", "Unsubscribes"),
]
DISPOSITION_LABELS = {"": "No disposition"}
LOWER_IS_BETTER = {"bounces", "unsubscribes"}


def meeting_outcome() -> str:
    return settings.COCKPIT_MEETING_OUTCOME


# -- who sees what --------------------------------------------------------------------


def engagement_rows(user: User) -> QuerySet:
    """EngagementDay rows `user` is counted by: every cadence for Managers and Admins,
    a Rep's own cadences (by owner) for a Rep."""
    return scope.owned(EngagementDay.objects.all(), scope.cadence_owner(user))


# -- figures --------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    now: int
    before: int

    @property
    def delta(self) -> int:
        return self.now - self.before

    @property
    def direction(self) -> str:
        return "up" if self.delta > 0 else "down" if self.delta < 0 else "same"

    @property
    def text(self) -> str:
        """ "+12 (+15%)", "−3 (−50%)", "no change", "+4 (none before)"."""
        if self.delta == 0:
            return "no change"
        sign = "+" if self.delta > 0 else "−"
        if not self.before:
            return f"{sign}{abs(self.delta):,} (none before)"
        percent = round(100 * abs(self.delta) / self.before)
        return f"{sign}{abs(self.delta):,} ({sign}{percent}%)"


@dataclass
class Sparkline:
    """A 30-day series drawn as inline SVG (no script: the CSP allows none inline). The
    last point is today, drawn hollow: its day is not over."""

    values: list[int]
    width: int = 120
    height: int = 28

    @property
    def points(self) -> list[tuple[float, float]]:
        top = max(self.values) or 1
        step = self.width / max(1, len(self.values) - 1)
        pad = 3
        usable = self.height - 2 * pad
        return [
            (round(i * step, 1), round(pad + usable - usable * v / top, 1))
            for i, v in enumerate(self.values)
        ]

    @property
    def polyline(self) -> str:
        # Up to yesterday as a solid line; today's partial point apart.
        return " ".join(f"{x},{y}" for x, y in self.points[:-1])

    @property
    def partial_segment(self) -> str:
        return " ".join(f"{x},{y}" for x, y in self.points[-2:])

    @property
    def last(self) -> tuple[float, float]:
        return self.points[-1]

    @property
    def summary(self) -> str:
        total = sum(self.values)
        return f"Last {len(self.values)} days: {total:,} in all, at most {max(self.values):,} a day"


@dataclass
class MetricRow:
    key: str
    label: str
    changes: list[Change]
    spark: Sparkline
    sub: bool = False  # a disposition under Calls

    @property
    def cells(self) -> list[tuple[Change, str]]:
        """Each period's change with its tone: good, bad or neutral (dispositions,
        and no change)."""
        lower_is_better = self.key in LOWER_IS_BETTER
        found = []
        for change in self.changes:
            if self.sub or change.direction == "same":
                tone = "neutral"
            else:
                tone = "good" if (change.direction == "up") != lower_is_better else "bad"
            found.append((change, tone))
        return found


@dataclass
class Cockpit:
    today: date
    periods: list[tuple[str, Period, Period, str]]  # (heading, now, before, "vs ...")
    rows: list[MetricRow] = field(default_factory=list)
    own: bool = False
    meeting_outcome: str = ""


def home_periods(today: date) -> list[tuple[str, Period, Period, str]]:
    found = []
    for heading, kind, versus in (
        ("Today so far", DAY, "vs all of yesterday"),
        ("This week", WEEK, "vs the same days last week"),
        ("This month", MONTH, "vs the same days last month"),
    ):
        now, before, _ = Period.containing(kind, today).comparable(today)
        found.append((heading, now, before, versus))
    return found


def cockpit(user: User, today: date | None = None) -> Cockpit:
    """Home's figures for `user`: two queries, summed by day in SQL."""
    today = today or pulls.today()
    periods = home_periods(today)
    spark_start = today - timedelta(days=SPARK_DAYS - 1)
    first = min([spark_start] + [p.start for _, now, before, _ in periods for p in (now, before)])
    engagement = {
        row["day"]: row
        for row in engagement_rows(user)
        .filter(day__gte=first, day__lte=today)
        .values("day")
        .annotate(**{m: Sum(m) for m, _ in ENGAGEMENT})
        .order_by()
    }
    calls: dict[str, dict[date, int]] = defaultdict(lambda: defaultdict(int))
    meetings: dict[date, int] = defaultdict(int)
    outcome = meeting_outcome()
    for row in (
        CallOutcomeDay.objects.visible_to(user)
        .filter(day__gte=first, day__lte=today)
        .values("day", "disposition", "outcome")
        .annotate(n=Sum("calls"))
        .order_by()
    ):
        calls[row["disposition"]][row["day"]] += row["n"]
        if row["outcome"] == outcome:
            meetings[row["day"]] += row["n"]

    spark_days = [spark_start + timedelta(days=n) for n in range(SPARK_DAYS)]

    def row(key: str, label: str, by_day: dict[date, int], sub: bool = False) -> MetricRow:
        def total(period: Period) -> int:
            return sum(by_day.get(d, 0) for d in period.dates())

        return MetricRow(
            key=key,
            label=label,
            changes=[Change(total(now), total(before)) for _, now, before, _ in periods],
            spark=Sparkline([by_day.get(d, 0) for d in spark_days]),
            sub=sub,
        )

    result = Cockpit(
        today=today,
        periods=periods,
        own=not user.is_manager_or_admin,
        meeting_outcome=meeting_outcome(),
    )
    for key, label in ENGAGEMENT:
        by_day = {d: r[key] or 0 for d, r in engagement.items()}
        result.rows.append(row(key, label, by_day))
    all_calls: dict[date, int] = defaultdict(int)
    for by_day in calls.values():
        for day, n in by_day.items():
            all_calls[day] += n
    result.rows.append(row("calls", "Calls", all_calls))
    for disposition in sorted(calls, key=lambda d: (-sum(calls[d].values()), d)):
        label = DISPOSITION_LABELS.get(disposition) or disposition.replace("_", " ").capitalize()
        result.rows.append(row(f"calls:{disposition}", label, calls[disposition], sub=True))
    result.rows.append(row("meetings", "Meetings", meetings))
    return result
