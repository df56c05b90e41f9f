"""The outcome funnel: added → contacted → opened → replied → positive → meeting, for the
team, per cadence and per rep, over the reports' range.

Where each step comes from:
- added, opened, replied, positive: the engagement pulls (EngagementDay) over the range;
- contacted: the mails the cadence's first mail step sent (option 0 of the newest
  step-wise snapshot taken by the range's end; Klenty answers that report for a window
  of its own, which the page names). A cadence without a snapshot has no known
  "contacted", and a total over it has none either;
- meeting: the calls whose outcome is COCKPIT_MEETING_OUTCOME (reporting/cockpit.py),
  per rep by who made the call (CallOutcomeDay), per cadence by the call's cadence.

Reps are attributed through cadence owners, as in reporting/scope.py: a cadence shared
by several owners counts in full for each. A Rep sees only their own cadences, their
own row and their own calls.

The figures count different things (opens count every open, not every prospect), so a
step may exceed the one before; its conversion is then not shown as a rate.

Constant queries: the engagement GROUP BY, the step rows, the cadence owners, two
GROUP BYs of meetings (by rep; by caller and cadence), whatever the number of stored rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from django.db.models import Count, OuterRef, Subquery, Sum

from cadences.models import Cadence
from klentyadmin.integrations.klenty.target import klenty_target
from reporting.charts import COLORS, Chart, Section, layout
from reporting.cockpit import meeting_outcome
from reporting.forms import ReportFilters
from reporting.models import Call, CallOutcomeDay, EngagementDay, StepRow, StepSnapshot
from reporting.scope import owned

if TYPE_CHECKING:
    from klentyadmin.accounts.models import User

STEPS = [  # (key, label)
    ("added", "Added"),
    ("contacted", "Contacted"),
    ("opened", "Opened"),
    ("replied", "Replied"),
    ("positive", "Positive"),
    ("meeting", "Meeting"),
]
ENGAGEMENT = {  # step -> EngagementDay field
    "added": "prospects_added",
    "opened": "opens",
    "replied": "replies",
    "positive": "positive",
}
NOT_KNOWN = "not known"
EXCEEDS = "more than the step before: the two count different things"


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    count: int | None  # None: not known
    conversion: str  # "40%", "–" (nothing before), "not known", or EXCEEDS

    @property
    def exceeds(self) -> bool:
        return self.conversion == EXCEEDS


def conversion(count: int | None, previous: int | None) -> str:
    """The share of the step before, never above 100%."""
    if count is None or previous is None:
        return NOT_KNOWN
    if previous == 0:
        return "–"
    if count > previous:
        return EXCEEDS
    # Half up, as people round (Python's round() makes 62.5 into 62).
    return f"{(200 * count + previous) // (2 * previous)}%"


def steps_from(counts: dict[str, int | None]) -> list[Step]:
    found: list[Step] = []
    previous: int | None = None
    for i, (key, label) in enumerate(STEPS):
        count = counts.get(key)
        found.append(Step(key, label, count, "" if i == 0 else conversion(count, previous)))
        previous = count
    return found


@dataclass
class Row:
    """One funnel: the team, a cadence or a rep."""

    name: str
    counts: dict[str, int | None] = field(default_factory=lambda: dict.fromkeys(ENGAGEMENT, 0))
    cadences: int = 0
    without_steps: int = 0  # cadences counted that have no step-wise snapshot

    @property
    def steps(self) -> list[Step]:
        return steps_from(self.counts)


@dataclass
class Funnel:
    team: Row
    cadences: list[Row]
    reps: list[Row]
    windows: list[tuple[date, date]]  # the step-wise windows "contacted" was read from
    meeting_outcome: str

    @property
    def window(self) -> tuple[date, date] | None:
        if not self.windows:
            return None
        return min(w[0] for w in self.windows), max(w[1] for w in self.windows)


def contacted_by_cadence(filters: ReportFilters) -> tuple[dict[str, int], list]:
    """Each visible cadence's mails of its first mail step in its newest snapshot taken
    by the range's end, and the snapshots' windows: one query."""
    newest = (
        StepSnapshot.objects.filter(
            cadence_name=OuterRef("snapshot__cadence_name"), taken_on__lte=filters.end
        )
        .order_by("-taken_on")
        .values("pk")[:1]
    )
    visible = owned(StepSnapshot.objects.all(), filters.cadence_owner)
    if filters.cadences:
        visible = visible.filter(cadence_name__in=filters.cadences)
    rows = (
        StepRow.objects.filter(
            option=0, mails__gt=0, snapshot__in=visible.values("pk"), snapshot=Subquery(newest)
        )
        .order_by("snapshot__cadence_name", "step_number")
        .values_list(
            "snapshot__cadence_name", "mails", "snapshot__range_start", "snapshot__range_end"
        )
    )
    contacted: dict[str, int] = {}
    windows = set()
    for name, mails, start, end in rows:
        if name not in contacted:  # the lowest step with mails is the first mail step
            contacted[name] = mails
            windows.add((start, end))
    return contacted, sorted(windows)


def members_for(viewer: User, filters: ReportFilters) -> list[str]:
    if not viewer.is_manager_or_admin:
        return [viewer.klenty_email.lower()] if viewer.klenty_email else []
    team = [e.lower() for e in klenty_target().team_emails]
    chosen = {r.lower() for r in filters.reps}
    return [m for m in team if m in chosen] if chosen else team


def funnel(filters: ReportFilters, viewer: User) -> Funnel:
    engagement = owned(
        EngagementDay.objects.filter(day__gte=filters.start, day__lte=filters.end),
        filters.cadence_owner,
    )
    if filters.cadences:
        engagement = engagement.filter(cadence_name__in=filters.cadences)
    by_cadence: dict[str, Row] = {}
    for row in (
        engagement.values("cadence_name")
        .annotate(**{step: Sum(column) for step, column in ENGAGEMENT.items()})
        .order_by()
    ):
        name = row.pop("cadence_name")
        by_cadence[name] = Row(name, {k: v or 0 for k, v in row.items()}, cadences=1)

    members = members_for(viewer, filters)
    reps = {m: Row(m) for m in members}
    owners_of = {
        name: {o.lower() for o in cadence_owners or ()}
        for name, cadence_owners in Cadence.objects.filter(name__in=list(by_cadence)).values_list(
            "name", "owners"
        )
    }
    chosen = bool(filters.reps) and viewer.is_manager_or_admin
    if chosen:
        # Reps chosen: their cadences only, so the team's funnel is theirs from end to end.
        by_cadence = {n: r for n, r in by_cadence.items() if owners_of.get(n, set()) & reps.keys()}

    contacted, windows = contacted_by_cadence(filters)
    outcome = meeting_outcome()
    # Meeting calls by caller and cadence named: one small GROUP BY (reps × cadences).
    meeting_calls = Call.objects.visible_to(viewer).filter(
        called_on__gte=filters.start, called_on__lte=filters.end, outcome=outcome
    )
    if filters.cadences:
        meeting_calls = meeting_calls.filter(cadence_name__in=filters.cadences)
    meetings_by_cadence: dict[str, int] = defaultdict(int)
    meetings_by_caller: dict[str, int] = defaultdict(int)  # of the chosen cadences
    for username, cadence_name, n in (
        meeting_calls.values("username", "cadence_name")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("username", "cadence_name", "n")
    ):
        meetings_by_cadence[cadence_name] += n
        meetings_by_caller[username.lower()] += n
    for name, row in by_cadence.items():
        row.counts["contacted"] = contacted.get(name)
        row.without_steps = 0 if name in contacted else 1
        row.counts["meeting"] = meetings_by_cadence.get(name, 0)

    for name, owners in owners_of.items():
        for owner in owners & reps.keys():
            add(reps[owner], by_cadence[name])
    meetings_by_rep = dict(
        CallOutcomeDay.objects.visible_to(viewer)
        .filter(day__gte=filters.start, day__lte=filters.end, outcome=outcome)
        .values("username")
        .annotate(n=Sum("calls"))
        .order_by()
        .values_list("username", "n")
    )
    if filters.cadences:  # a rep's meetings are then the calls naming those cadences
        meetings_by_rep = meetings_by_caller
    for member, rep in reps.items():
        rep.counts["meeting"] = meetings_by_rep.get(member, 0)
        if not rep.cadences:  # owns no cadence in the range: nothing was sent for them
            rep.counts["contacted"] = 0

    team = Row("Everyone" if viewer.is_manager_or_admin else "Your cadences")
    for row in by_cadence.values():
        add(team, row)
    if not team.cadences:
        team.counts["contacted"] = 0
    # The team's meetings: with cadences chosen, the calls naming them; with reps chosen,
    # theirs; else every meeting call seen (a Rep: their own), whatever cadence it names.
    if filters.cadences:
        team.counts["meeting"] = sum(r.counts["meeting"] for r in by_cadence.values())
    elif chosen:
        team.counts["meeting"] = sum(meetings_by_rep.get(m, 0) for m in members)
    else:
        team.counts["meeting"] = sum(meetings_by_rep.values())
    cadence_rows = sorted(by_cadence.values(), key=lambda r: (-(r.counts["added"] or 0), r.name))
    rep_rows = sorted(reps.values(), key=lambda r: (-(r.counts["meeting"] or 0), r.name))
    return Funnel(team, cadence_rows, rep_rows, windows, outcome)


def add(total: Row, row: Row) -> None:
    """`row`'s counts into `total`; "contacted" stays known only while every cadence in
    it is."""
    for key in ENGAGEMENT:
        total.counts[key] = (total.counts[key] or 0) + (row.counts[key] or 0)
    total.cadences += row.cadences
    total.without_steps += row.without_steps
    if total.without_steps:
        total.counts["contacted"] = None
    else:
        total.counts["contacted"] = (total.counts.get("contacted") or 0) + (
            row.counts["contacted"] or 0
        )


# -- the chart ------------------------------------------------------------------------


def funnel_chart(result: Funnel) -> Chart:
    steps = result.team.steps
    known = [s for s in steps if s.count is not None]
    labels = [s.label for s in known]
    trace = {
        "type": "bar",
        "orientation": "h",
        "name": result.team.name,
        "y": labels,
        "x": [s.count for s in known],
        "text": [f"{s.count:,}" for s in known],
        "textposition": "auto",
        "marker": {"color": [COLORS[i % len(COLORS)] for i in range(len(known))]},
    }
    title = "Outcome funnel"
    rows = [[s.label, s.count, s.conversion] for s in steps]
    return Chart(
        "outcome_funnel",
        title,
        {
            "data": [trace],
            "layout": layout(
                title,
                height=320,
                showlegend=False,
                hovermode="closest",
                yaxis={"autorange": "reversed", "rangemode": "normal"},
            ),
        },
        ["step", "count", "conversion_from_previous"],
        rows if result.team.cadences or any(result.team.counts.values()) else [],
    )


def funnel_section(filters: ReportFilters, viewer: User) -> Section:
    result = funnel(filters, viewer)
    section = Section("outcome")
    section.figures["funnel"] = result
    section.charts.append(funnel_chart(result))
    return section
