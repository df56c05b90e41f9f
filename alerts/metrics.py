"""What a rule measures, aggregated in SQL from the reporting tables.

Engagement (replies, bounces, unsubscribes, positive replies, prospects added) is
Klenty's per cadence and day (`EngagementDay`); a rep's figures are those of the
cadences they own (`Cadence.owners`), as the reports attribute them. Calls are per
member and day (`CallDay`), or per cadence from the calls themselves.

One evaluation asks each table once per distinct period (a window, the window
before it, a baseline), grouped by cadence or member, whatever the number of
rules; `Periods` keeps those answers for every rule that shares the period.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Sum

from alerts.models import RATE_METRICS, AlertRule, Condition, Metric, Scope
from reporting import scope
from reporting.models import Call, CallDay, EngagementDay

# Numerator of each engagement metric; rates are over prospects added, as the reports say.
NUMERATOR = {
    Metric.REPLY_RATE: "replies",
    Metric.BOUNCE_RATE: "bounces",
    Metric.UNSUBSCRIBE_RATE: "unsubscribes",
    Metric.POSITIVE_REPLIES: "positive",
}
SUMMED = ("prospects_added", "replies", "bounces", "unsubscribes", "positive")
Period = tuple[date, date]  # first and last day, both included


def window(today: date, days: int) -> Period:
    return today - timedelta(days=days - 1), today


def previous(period: Period) -> Period:
    first, last = period
    length = (last - first).days + 1
    return first - timedelta(days=length), first - timedelta(days=1)


def baseline(period: Period, days: int) -> Period:
    first, _ = period
    return first - timedelta(days=days), first - timedelta(days=1)


def length(period: Period) -> int:
    return (period[1] - period[0]).days + 1


@dataclass
class Periods:
    """The per-period answers of one evaluation (one query per table and period)."""

    engagement: dict[Period, dict[str, dict[str, int]]] = field(default_factory=dict)
    calls_by_member: dict[Period, dict[str, int]] = field(default_factory=dict)
    calls_by_cadence: dict[Period, dict[str, int]] = field(default_factory=dict)
    _owners: dict[str, list[str]] | None = None
    queries: int = 0

    def by_cadence(self, period: Period) -> dict[str, dict[str, int]]:
        if period not in self.engagement:
            self.queries += 1
            rows = (
                EngagementDay.objects.filter(day__range=period)
                .order_by()
                .values("cadence_name")
                .annotate(**{name: Sum(name) for name in SUMMED})
            )
            self.engagement[period] = {
                row["cadence_name"]: {name: row[name] or 0 for name in SUMMED} for row in rows
            }
        return self.engagement[period]

    def calls_of_members(self, period: Period) -> dict[str, int]:
        if period not in self.calls_by_member:
            self.queries += 1
            rows = (
                CallDay.objects.filter(day__range=period)
                .order_by()
                .values("username")
                .annotate(n=Sum("calls"))
            )
            self.calls_by_member[period] = {row["username"]: row["n"] or 0 for row in rows}
        return self.calls_by_member[period]

    def calls_of_cadences(self, period: Period) -> dict[str, int]:
        if period not in self.calls_by_cadence:
            self.queries += 1
            rows = (
                Call.objects.filter(called_on__range=period)
                .exclude(cadence_name="")
                .order_by()
                .values("cadence_name")
                .annotate(n=Count("id"))
            )
            self.calls_by_cadence[period] = {row["cadence_name"]: row["n"] for row in rows}
        return self.calls_by_cadence[period]

    @property
    def owners(self) -> dict[str, list[str]]:
        """Each rep's cadences, from the cadence cache's owners (one query)."""
        if self._owners is None:
            self.queries += 1
            found: dict[str, list[str]] = defaultdict(list)
            for name, owners in scope.cadence_owners().items():
                for owner in sorted(owners):
                    found[owner].append(name)
            self._owners = dict(found)
        return self._owners

    # -- one subject's figures ------------------------------------------------------

    def subjects(self, rule: AlertRule, period: Period) -> list[tuple[str, str]]:
        """(kind, name) of every subject the rule looks at: ("team", "") for the team."""
        if rule.scope == Scope.TEAM:
            return [("team", "")]
        if rule.scope == Scope.CADENCE:
            return [("cadence", rule.scope_value)]
        if rule.scope == Scope.REP:
            return [("rep", rule.scope_value.lower())]
        if rule.scope == Scope.EACH_CADENCE:
            names = set(self.by_cadence(period))
            if rule.metric == Metric.CALLS:
                names = set(self.calls_of_cadences(period))
            return [("cadence", name) for name in sorted(names)]
        reps = set(self.owners)
        if rule.metric == Metric.CALLS:
            reps |= set(self.calls_of_members(period))
        return [("rep", email) for email in sorted(reps)]

    def totals(self, kind: str, name: str, period: Period) -> dict[str, int]:
        rows = self.by_cadence(period)
        if kind == "team":
            cadences = list(rows)
        elif kind == "cadence":
            cadences = [name]
        else:
            cadences = self.owners.get(name, [])
        summed = dict.fromkeys(SUMMED, 0)
        for cadence in cadences:
            for key, value in rows.get(cadence, {}).items():
                summed[key] += value
        return summed

    def calls(self, kind: str, name: str, period: Period) -> int:
        if kind == "cadence":
            return self.calls_of_cadences(period).get(name, 0)
        members = self.calls_of_members(period)
        if kind == "team":
            return sum(members.values())
        return members.get(name, 0)

    def value(self, rule: AlertRule, kind: str, name: str, period: Period) -> float | None:
        """The metric for one subject over one period; None where a rate has too
        little behind it (fewer prospects added than the rule's minimum, or none)."""
        if rule.metric == Metric.CALLS:
            return float(self.calls(kind, name, period))
        totals = self.totals(kind, name, period)
        part = totals[NUMERATOR[rule.metric]]
        if rule.metric not in RATE_METRICS:
            return float(part)
        added = totals["prospects_added"]
        if added == 0 or added < rule.min_volume:
            return None
        return round(100 * part / added, 2)


@dataclass(frozen=True)
class Reading:
    """One subject's figure against the rule: whether it fires, and in words."""

    kind: str
    subject: str
    value: float | None
    compared_to: float | None
    firing: bool


def read(rule: AlertRule, periods: Periods, today: date) -> list[Reading]:
    now = window(today, rule.window_days)
    before: Period | None = None
    if rule.condition == Condition.DROP_PREVIOUS:
        before = previous(now)
    elif rule.condition == Condition.DROP_BASELINE:
        before = baseline(now, rule.baseline_days)
    readings = []
    for kind, name in periods.subjects(rule, now):
        value = periods.value(rule, kind, name, now)
        compared = None
        if before is not None:
            compared = periods.value(rule, kind, name, before)
            if compared is not None and not rule.is_rate:
                # A count over a longer baseline, scaled to the window's length.
                compared = round(compared * length(now) / length(before), 2)
        readings.append(Reading(kind, name, value, compared, fires(rule, value, compared)))
    return readings


def fires(rule: AlertRule, value: float | None, compared: float | None) -> bool:
    if value is None:
        return False
    if rule.condition == Condition.ABOVE:
        return value > rule.threshold
    if rule.condition == Condition.BELOW:
        return value < rule.threshold
    return compared is not None and compared - value > rule.threshold
