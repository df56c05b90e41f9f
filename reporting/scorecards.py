"""The scorecards: each team member's figures for a period, against the period before
and the same period a year earlier, with their goals and pacing.

How each figure is attributed (the page says so too):
- calls, connected calls and meetings belong to the member who made the call;
- email engagement (replies, positive replies, prospects added) belongs to the owners
  of the cadence it came from, since Klenty reports engagement per cadence only; a
  cadence shared by several members counts in full for each of them.

Constant queries: the cadences' owners, two GROUP BYs per period compared (engagement
by cadence; calls, connected calls and meetings by member), the goals, and the
members' names.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model
from django.db.models import Q, Sum

from klentyadmin.integrations.klenty.target import klenty_target
from reporting import scope
from reporting.cockpit import Change, meeting_outcome
from reporting.models import CONNECTED_DISPOSITIONS, CallOutcomeDay, EngagementDay, Goal
from reporting.periods import Period

if TYPE_CHECKING:
    from klentyadmin.accounts.models import User

ENGAGEMENT = ("replies", "positive", "prospects_added")
FIGURES = [  # (key, label, attributed through)
    ("meetings", "Meetings", "calls"),
    ("positive", "Positive replies", "cadences"),
    ("replies", "Replies", "cadences"),
    ("calls", "Calls", "calls"),
    ("connected", "Connected calls", "calls"),
    ("prospects_added", "Prospects added", "cadences"),
]
SLICES = ("now", "before", "year")
# Pacing: a projection within this share of the goal is "on track".
PACE_TOLERANCE = 0.10
ON_TRACK, AHEAD, BEHIND = "on track", "ahead", "behind"


# -- pacing ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Pace:
    figure: str
    label: str
    goal: int
    actual: int
    projected: int | None  # None before the period starts
    status: str  # on track / ahead / behind / not started
    finished: bool = False

    @property
    def percent_of_goal(self) -> int | None:
        if self.projected is None or not self.goal:
            return None
        return round(100 * self.projected / self.goal)


def pace(figure: str, label: str, goal: int, actual: int, period: Period, today: date) -> Pace:
    """Linear projection: what the member has so far, per day of the period begun
    (today counted whole), times the period's days. A finished period's projection is
    what it ended with."""
    elapsed = period.elapsed_days(today)
    if elapsed == 0:
        return Pace(figure, label, goal, actual, None, "not started")
    projected = actual if elapsed >= period.days else round(actual * period.days / elapsed)
    if goal == 0:
        status = ON_TRACK if projected == 0 else AHEAD
    elif projected > goal * (1 + PACE_TOLERANCE):
        status = AHEAD
    elif projected < goal * (1 - PACE_TOLERANCE):
        status = BEHIND
    else:
        status = ON_TRACK
    return Pace(figure, label, goal, actual, projected, status, finished=elapsed >= period.days)


# -- the board ------------------------------------------------------------------------


@dataclass
class Scorecard:
    member: str
    name: str
    figures: dict[str, dict[str, int]] = field(default_factory=dict)  # key -> slice -> n
    goal: Goal | None = None
    paces: list[Pace] = field(default_factory=list)

    def change(self, key: str, versus: str) -> Change:
        return Change(self.figures[key]["now"], self.figures[key][versus])

    @property
    def cells(self) -> list[dict]:
        return [
            {
                "key": key,
                "label": label,
                "value": self.figures[key]["now"],
                "previous": self.change(key, "before"),
                "last_year": self.change(key, "year"),
            }
            for key, label, _through in FIGURES
        ]


@dataclass
class Board:
    period: Period
    today: date
    now: Period
    before: Period
    year: Period
    cards: list[Scorecard]
    meeting_outcome: str
    goals_apply: bool  # a week, month or quarter: goals can be set and paced

    @property
    def labels(self) -> list[tuple[str, str]]:
        return [(key, label) for key, label, _ in FIGURES]

    @property
    def has_goals(self) -> bool:
        return any(card.paces for card in self.cards)

    @property
    def partial(self) -> bool:
        return self.now.end < self.period.end


def members_for(viewer: User) -> list[str]:
    if viewer.is_manager_or_admin:
        return [e.lower() for e in klenty_target().team_emails]
    return [viewer.klenty_email] if viewer.klenty_email else []


def board(viewer: User, period: Period, today: date) -> Board:
    now, before, year = period.comparable(today)
    slices = {"now": now, "before": before, "year": year}
    members = members_for(viewer)
    figures = {m: {key: dict.fromkeys(SLICES, 0) for key, _, _ in FIGURES} for m in members}

    owners: dict[str, set[str]] = defaultdict(set)
    for name, cadence_owners in scope.cadence_owners().items():
        counted = cadence_owners & figures.keys()
        if counted:
            owners[name] |= counted
    meeting = meeting_outcome()
    calls_sums = {  # "calls" is the column's name: the sum is called "made"
        "made": Sum("calls"),
        "connected": Sum("calls", filter=Q(disposition__in=CONNECTED_DISPOSITIONS)),
        "meetings": Sum("calls", filter=Q(outcome=meeting)),
    }
    # One plain day range per query: SQLite reads each through its index, twice as
    # fast as one query over the three ranges with a filtered sum per range.
    for s, p in slices.items():
        if owners:
            for row in (
                EngagementDay.objects.filter(
                    day__range=(p.start, p.end), cadence_name__in=list(owners)
                )
                .values("cadence_name")
                .annotate(**{key: Sum(key) for key in ENGAGEMENT})
                .order_by()
            ):
                for member in owners[row["cadence_name"]]:
                    for key in ENGAGEMENT:
                        figures[member][key][s] += row[key] or 0
        for row in (
            CallOutcomeDay.objects.filter(day__range=(p.start, p.end), username__in=members)
            .values("username")
            .annotate(**calls_sums)
            .order_by()
        ):
            for figure, column in (
                ("calls", "made"),
                ("connected", "connected"),
                ("meetings", "meetings"),
            ):
                figures[row["username"]][figure][s] = row[column] or 0

    goals_apply = period.kind in Goal.Period.values
    goals = (
        {
            g.member: g
            for g in Goal.objects.filter(
                member__in=members, period=period.kind, starts_on=period.start
            )
        }
        if goals_apply
        else {}
    )
    names = {
        u.klenty_email: u.get_full_name() or u.username
        for u in get_user_model().objects.filter(klenty_email__in=members)
    }
    cards = []
    for member in members:
        card = Scorecard(member, names.get(member, member), figures[member], goals.get(member))
        if card.goal is not None:
            for key, label in (
                ("meetings", "Meetings"),
                ("positive", "Positive replies"),
                ("calls", "Calls"),
            ):
                target = getattr(card.goal, key)
                if target is not None:
                    actual = figures[member][key]["now"]
                    card.paces.append(pace(key, label, target, actual, period, today))
        cards.append(card)
    cards.sort(
        key=lambda c: (-c.figures["meetings"]["now"], -c.figures["positive"]["now"], c.member)
    )
    return Board(period, today, now, before, year, cards, meeting_outcome(), goals_apply)
