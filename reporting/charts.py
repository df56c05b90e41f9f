"""The reports' numbers and figures: SQL aggregates in, plotly figures and tables out.

Every figure is built from a handful of GROUP BY queries whose result size depends on
the range and the team, never on the number of stored rows, so a page costs the same
few queries with a thousand calls or a million. Figures are plain dicts in plotly's
JSON schema (the browser's plotly.js and the email's kaleido draw the same dict), and
every chart carries the table it was drawn from, for its CSV download.

Rates have no "mails sent" to divide by (Email Engagements does not count sends), so
opens, replies, bounces and unsubscribes are per prospect added in the range; clicks
are per open and the positive share is per reply. The page says so.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Max, Sum

from reporting.forms import ReportFilters
from reporting.models import (
    CONNECTED_DISPOSITIONS,
    CallDay,
    EngagementDay,
    StepRow,
    StepSnapshot,
)
from reporting.rollups import DURATION_BUCKETS
from reporting.scope import owned

COLORS = ["#2454d6", "#16a34a", "#f59e0b", "#dc2626", "#7c3aed", "#0891b2", "#db2777", "#65a30d"]
DISPOSITION_COLORS = {
    "CONNECTED": "#16a34a",
    "MEETING_BOOKED": "#0f766e",
    "VOICE_MAIL": "#f59e0b",
    "NOT_ANSWERED": "#94a3b8",
    "BUSY": "#dc2626",
    "WRONG_NUMBER": "#7c3aed",
}
TOP_CADENCES = 8
ENGAGEMENT_SERIES = [
    ("opens", "Opens"),
    ("clicks", "Clicks"),
    ("replies", "Replies"),
    ("bounces", "Bounces"),
    ("unsubscribes", "Unsubscribes"),
]


# Plotly draws a subset of HTML in every label it is given (trace names, titles, tick
# and hover text), so a cadence named `<a href="…">` would become a live link in the
# legend. Every string in a figure is escaped, except the line breaks the charts write
# themselves; plotly shows `&lt;` as `<`. static/js/reporting.js escapes the same way.
PLOTLY_MARKUP = re.compile(r"<(?!br>)|(?<!<br)>")
PLOTLY_ESCAPES = {"<": "&lt;", ">": "&gt;"}


def plotly_text(text: str) -> str:
    return PLOTLY_MARKUP.sub(lambda match: PLOTLY_ESCAPES[match.group()], text)


def plotly_safe(value: Any) -> Any:
    """`value` (a figure, or any part of one) with plotly_text applied to every string."""
    if isinstance(value, str):
        return plotly_text(value)
    if isinstance(value, dict):
        return {key: plotly_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [plotly_safe(item) for item in value]
    return value


@dataclass
class Chart:
    """One figure and the table behind it. The figure is made safe for plotly here, so
    no chart can forget it; the title and the table stay as they are (Django escapes
    them in pages, and the CSV is data)."""

    name: str
    title: str
    figure: dict[str, Any]
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""

    def __post_init__(self) -> None:
        self.figure = plotly_safe(self.figure)

    @property
    def empty(self) -> bool:
        return not self.rows


@dataclass
class Rate:
    label: str
    now: float | None
    before: float | None

    @property
    def change(self) -> float | None:
        if self.now is None or self.before is None:
            return None
        return self.now - self.before


@dataclass
class Section:
    name: str
    charts: list[Chart] = field(default_factory=list)
    figures: dict[str, Any] = field(default_factory=dict)

    def chart(self, name: str) -> Chart | None:
        return next((c for c in self.charts if c.name == name), None)


def layout(title: str, **extra: Any) -> dict[str, Any]:
    """A layout readable on a laptop: 13 px type, a legend below, light grid lines."""
    base = {
        "title": {"text": title, "x": 0.01, "font": {"size": 15}},
        "height": 340,
        "margin": {"l": 56, "r": 16, "t": 44, "b": 40},
        "font": {"family": "system-ui, -apple-system, Segoe UI, Roboto, sans-serif", "size": 13},
        "legend": {"orientation": "h", "y": -0.18, "x": 0},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "xaxis": {"gridcolor": "#eef1f6", "automargin": True},
        "yaxis": {"gridcolor": "#eef1f6", "rangemode": "tozero", "automargin": True},
        "hovermode": "x unified",
    }
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return base


def ratio(part: float, whole: float) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


def per(part: float, whole: float) -> float | None:
    """How many of `part` for each one of `whole`: a count, not a percentage."""
    return round(part / whole, 2) if whole else None


def partial_day(filters: ReportFilters) -> dict[str, Any]:
    """Layout that marks today's point in a daily chart: a day still under way, so its low
    count reads as "so far", not as a drop."""
    day = filters.today
    if not filters.start <= day <= filters.end:
        return {}
    return {
        "shapes": [
            {
                "type": "rect",
                "xref": "x",
                "yref": "paper",
                "x0": f"{day - timedelta(days=1)} 12:00",
                "x1": f"{day} 12:00",
                "y0": 0,
                "y1": 1,
                "fillcolor": "#f1f5f9",
                "line": {"width": 0},
                "layer": "below",
            }
        ],
        "annotations": [
            {
                "x": day.isoformat(),
                "y": 1,
                "xref": "x",
                "yref": "paper",
                "yanchor": "bottom",
                "showarrow": False,
                "text": "Today so far",
                "font": {"size": 11, "color": "#64748b"},
            }
        ],
    }


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


# -- email engagement ---------------------------------------------------------------


def engagement_queryset(filters: ReportFilters, start: date, end: date):
    qs = owned(EngagementDay.objects.filter(day__gte=start, day__lte=end), filters.cadence_owner)
    if filters.cadences:
        qs = qs.filter(cadence_name__in=filters.cadences)
    return qs


def sums(*metrics: str) -> dict[str, Sum]:
    return {m: Sum(m) for m in metrics}


def rates(totals: dict[str, int]) -> dict[str, float | None]:
    added = totals.get("prospects_added", 0)
    # No "opens per prospect" here: opens count every open, so that ratio passes 100% and
    # is not a rate. The page shows it beside the table as a number of opens per prospect.
    return {
        "Click rate": ratio(totals.get("clicks", 0), totals.get("opens", 0)),
        "Reply rate": ratio(totals.get("replies", 0), added),
        "Bounce rate": ratio(totals.get("bounces", 0), added),
        "Unsubscribe rate": ratio(totals.get("unsubscribes", 0), added),
        "Positive share": ratio(totals.get("positive", 0), totals.get("replies", 0)),
    }


def engagement_section(filters: ReportFilters) -> Section:
    before_start, before_end = filters.previous
    daily = engagement_by_day(filters, before_start)
    now_days = days_between(filters.start, filters.end)
    before_days = days_between(before_start, before_end)
    totals_now = period_totals(daily, now_days)
    totals_before = period_totals(daily, before_days)
    section = Section("engagement")
    section.figures["totals"] = totals_now
    section.figures["totals_before"] = totals_before
    section.figures["opens_per_prospect"] = (
        per(totals_now["opens"], totals_now["prospects_added"]),
        per(totals_before["opens"], totals_before["prospects_added"]),
    )
    rates_now, rates_before = rates(totals_now), rates(totals_before)
    section.figures["rates"] = [Rate(k, rates_now[k], rates_before[k]) for k in rates_now]
    section.charts.append(engagement_chart(daily, now_days, before_days, filters))
    section.charts.append(cadence_trend_chart(filters, now_days))
    section.charts.append(rates_chart(section.figures["rates"]))
    return section


def engagement_by_day(filters: ReportFilters, before_start: date) -> dict[date, dict[str, Any]]:
    """One query for both periods, one row per day: the daily series and both totals."""
    return {
        row["day"]: row
        for row in engagement_queryset(filters, before_start, filters.end)
        .values("day")
        .annotate(**sums(*EngagementDay.METRICS))
        .order_by("day")
    }


def period_totals(daily: dict[date, dict[str, Any]], days: list[date]) -> dict[str, int]:
    return {m: sum(daily[d][m] for d in days if d in daily) for m in EngagementDay.METRICS}


def engagement_chart(
    daily: dict[date, dict[str, Any]],
    now_days: list[date],
    before_days: list[date],
    filters: ReportFilters,
) -> Chart:
    rows = []
    for d, before in zip(now_days, before_days, strict=True):
        row = daily.get(d, {})
        prev = daily.get(before, {})
        rows.append(
            [
                d.isoformat(),
                *(row.get(m, 0) for m in EngagementDay.METRICS),
                before.isoformat(),
                prev.get("opens", 0),
                prev.get("replies", 0),
            ]
        )
    traces = engagement_traces(daily, now_days) + previous_period_traces(
        daily, now_days, before_days
    )
    return Chart(
        "engagement",
        "Email engagement per day",
        {"data": traces, "layout": layout("Email engagement per day", **partial_day(filters))},
        ["day", *EngagementDay.METRICS, "previous_day", "previous_opens", "previous_replies"],
        rows if daily else [],
    )


def engagement_traces(daily: dict[date, dict[str, Any]], now_days: list[date]) -> list[dict]:
    x = [d.isoformat() for d in now_days]
    return [
        {
            "type": "scatter",
            "mode": "lines",
            "name": label,
            "x": x,
            "y": [daily[d][metric] if d in daily else 0 for d in now_days],
            "line": {"color": COLORS[i], "width": 2},
        }
        for i, (metric, label) in enumerate(ENGAGEMENT_SERIES)
    ]


def previous_period_traces(
    daily: dict[date, dict[str, Any]], now_days: list[date], before_days: list[date]
) -> list[dict]:
    """The previous period's opens and replies drawn on this period's days, to compare
    shapes."""
    x = [d.isoformat() for d in now_days]
    return [
        {
            "type": "scatter",
            "mode": "lines",
            "name": f"{label}, previous period",
            "x": x,
            "y": [daily[d][metric] if d in daily else 0 for d in before_days],
            "line": {"color": color, "width": 1.5, "dash": "dot"},
            "customdata": [d.isoformat() for d in before_days],
            "hovertemplate": "%{y} on %{customdata}",
        }
        for metric, label, color in (
            ("opens", "Opens", COLORS[0]),
            ("replies", "Replies", COLORS[2]),
        )
    ]


def cadence_trend_chart(filters: ReportFilters, now_days: list[date]) -> Chart:
    """Replies per day, stacked by cadence: the busiest TOP_CADENCES, then the rest as one
    band, so the top edge is the team's total and eight lines never tangle."""
    in_range = engagement_queryset(filters, filters.start, filters.end)
    # The busiest cadences first (one small GROUP BY), then their days, then the rest's.
    ranked = list(
        in_range.values("cadence_name")
        .annotate(total=Sum("replies"))
        .order_by("-total", "cadence_name")
        .values_list("cadence_name", flat=True)[: TOP_CADENCES + 1]
    )
    more = len(ranked) > TOP_CADENCES
    ranked = ranked[:TOP_CADENCES]
    per_cadence = (
        in_range.filter(cadence_name__in=ranked)
        .values("cadence_name", "day")
        .annotate(**sums("opens", "replies"))
    )
    by_cadence: dict[str, dict[date, dict]] = {name: {} for name in ranked}
    for row in per_cadence:
        by_cadence[row["cadence_name"]][row["day"]] = row
    bands = [(name, COLORS[i % len(COLORS)], by_cadence[name]) for i, name in enumerate(ranked)]
    if more:
        rest = in_range.exclude(cadence_name__in=ranked).values("day").annotate(**sums("replies"))
        bands.append(("All other cadences", "#cbd5e1", {row["day"]: row for row in rest}))
    x = [d.isoformat() for d in now_days]
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "stackgroup": "cadences",
            "name": name,
            "x": x,
            "y": [days.get(d, {}).get("replies", 0) for d in now_days],
            "line": {"color": color, "width": 0.5},
            "fillcolor": color,
        }
        for name, color, days in bands
    ]
    rows = [
        [d.isoformat(), name, by_cadence[name][d]["opens"], by_cadence[name][d]["replies"]]
        for name in sorted(by_cadence)
        for d in now_days
        if d in by_cadence[name]
    ]
    title = "Replies per day by cadence, stacked" + (
        f" (top {TOP_CADENCES} and the rest)" if more else ""
    )
    return Chart(
        "engagement_cadences",
        title,
        {"data": traces, "layout": layout(title, **partial_day(filters))},
        ["day", "cadence", "opens", "replies"],
        rows,
    )


def rates_chart(rate_list: list[Rate]) -> Chart:
    # Short labels, so they sit level under the bars on a half-width chart.
    labels = [r.label.removesuffix(" rate").replace(" ", "<br>") for r in rate_list]
    traces = [
        {
            "type": "bar",
            "name": "Previous period",
            "x": labels,
            "y": [r.before for r in rate_list],
            "marker": {"color": "#a5b4fc"},
        },
        {
            "type": "bar",
            "name": "This period",
            "x": labels,
            "y": [r.now for r in rate_list],
            "marker": {"color": COLORS[0]},
            "text": [f"{r.now}%" if r.now is not None else "" for r in rate_list],
            "textposition": "outside",
        },
    ]
    return Chart(
        "rates",
        "Rates, this period and the one before (%)",
        {
            "data": traces,
            "layout": layout(
                "Rates, this period and the one before (%)",
                barmode="group",
                hovermode="closest",
                yaxis={"ticksuffix": "%"},
                xaxis={"tickangle": 0},
            ),
        },
        ["rate", "this_period_percent", "previous_period_percent"],
        [
            [r.label, r.now, r.before]
            for r in rate_list
            if r.now is not None or r.before is not None
        ],
    )


# -- cadence comparison -------------------------------------------------------------


def comparison_rows(filters: ReportFilters) -> list[dict[str, Any]]:
    rows = list(
        engagement_queryset(filters, filters.start, filters.end)
        .values("cadence_name")
        .annotate(**sums(*EngagementDay.METRICS))
    )
    for row in rows:
        row["cadence"] = row.pop("cadence_name")
        row["reply_rate"] = ratio(row["replies"], row["prospects_added"])
    key = filters.sort.lstrip("-")
    reverse = filters.sort.startswith("-")
    if key == "cadence":
        rows.sort(key=lambda r: r["cadence"].lower(), reverse=reverse)
    else:
        rows.sort(key=lambda r: (r.get(key) is None, r.get(key) or 0), reverse=reverse)
        if reverse:  # keep the rows without a value last either way
            rows.sort(key=lambda r: r.get(key) is None)
    return rows


COMPARISON_COLUMNS = ["cadence", *EngagementDay.METRICS, "reply_rate"]


def comparison_chart(filters: ReportFilters) -> Chart:
    rows = comparison_rows(filters)
    return Chart(
        "cadences",
        "Cadence comparison",
        {},
        COMPARISON_COLUMNS,
        [[r[c] for c in COMPARISON_COLUMNS] for r in rows],
    )


# -- step-wise funnel ---------------------------------------------------------------


def funnel_cadences(filters: ReportFilters) -> list[str]:
    return list(
        owned(StepSnapshot.objects.filter(taken_on__lte=filters.end), filters.cadence_owner)
        .order_by("cadence_name")
        .values_list("cadence_name", flat=True)
        .distinct()
    )


FUNNEL_METRICS = [
    ("mails", "Mails sent"),
    ("opens", "Opens"),
    ("replies", "Replies"),
    ("links", "Links clicked"),
    ("tasks", "Tasks"),
    ("calls", "Calls"),
]
# The step table's columns, in the order of StepRow's fields read by step_table.
STEP_COLUMNS = [
    "step",
    "option",
    "type",
    "mails",
    "opens",
    "replies",
    "links",
    "positive",
    "negative",
    "completed",
    "tasks",
    "calls",
    "template",
    "subject",
]


def funnel_section(filters: ReportFilters) -> Section:
    section = Section("funnel")
    names = funnel_cadences(filters)
    preferred = [c for c in filters.cadences if c in names]
    cadence = filters.funnel if filters.funnel in names else (preferred or names or [""])[0]
    section.figures["cadences"] = names
    section.figures["cadence"] = cadence
    snapshot = StepSnapshot.objects.filter(cadence_name=cadence, taken_on__lte=filters.end).first()
    rows = list(snapshot.rows.all()) if snapshot else []
    section.figures["snapshot"] = snapshot
    section.charts.append(funnel_chart(cadence, snapshot, [r for r in rows if r.option == 0]))
    section.charts.append(ab_chart([r for r in rows if r.option > 0]))
    return section


def step_table(items: list[StepRow]) -> list[list[Any]]:
    return [
        [
            r.step_number,
            r.option,
            r.step_type,
            r.mails,
            r.opens,
            r.replies,
            r.links,
            r.positive,
            r.negative,
            r.completed,
            r.tasks,
            r.calls,
            r.template_name,
            r.subject,
        ]
        for r in items
    ]


def step_bars(
    labels: list[str], rows: list[StepRow], metrics: list[tuple[str, str]], **extra: Any
) -> list[dict]:
    """One bar trace per metric (a StepRow attribute and its label) over the rows, each
    in its palette colour; `extra` goes into every trace."""
    return [
        {
            "type": "bar",
            "name": label,
            "x": labels,
            "y": [getattr(r, attr) for r in rows],
            "marker": {"color": COLORS[i]},
            **extra,
        }
        for i, (attr, label) in enumerate(metrics)
    ]


def funnel_chart(cadence: str, snapshot: StepSnapshot | None, steps: list[StepRow]) -> Chart:
    labels = [f"Step {r.step_number} · {r.step_type or '?'}" for r in steps]
    traces = step_bars(labels, steps, FUNNEL_METRICS)
    title = f"Step-wise funnel: {cadence}" if cadence else "Step-wise funnel"
    if snapshot:
        title += f" ({snapshot.range_start:%d %b} – {snapshot.range_end:%d %b %Y})"
    return Chart(
        "funnel",
        title,
        {"data": traces, "layout": layout(title, barmode="group", hovermode="closest")},
        STEP_COLUMNS,
        step_table(steps),
    )


def ab_chart(options: list[StepRow]) -> Chart:
    labels = [f"Step {r.step_number} · option {chr(64 + r.option)}" for r in options]
    traces = step_bars(
        labels,
        options,
        FUNNEL_METRICS[:4],
        customdata=[r.subject for r in options],
        hovertemplate="%{y} — %{customdata}",
    )
    return Chart(
        "ab",
        "A/B options side by side",
        {
            "data": traces,
            "layout": layout("A/B options side by side", barmode="group", hovermode="closest"),
        },
        STEP_COLUMNS,
        step_table(options),
        note="" if options else "This cadence has no A/B options.",
    )


# -- calls --------------------------------------------------------------------------


def calls_queryset(filters: ReportFilters, user):
    """The CallDay rows in range that `user` may see (a Rep: their own)."""
    qs = CallDay.objects.visible_to(user).filter(day__gte=filters.start, day__lte=filters.end)
    if filters.reps and user.is_manager_or_admin:
        qs = qs.filter(username__in=filters.reps)
    return qs


@dataclass
class RepCalls:
    calls: int = 0
    connected: int = 0
    seconds: int = 0
    by_disposition: dict[str, int] = field(default_factory=dict)


@dataclass
class CallCounts:
    """The three GROUP BYs every calls chart is drawn from, and what they add up to."""

    days: list[date]
    by_day: list[dict[str, Any]]
    by_rep: list[dict[str, Any]]
    buckets: dict[int, int]
    per_day: dict[date, dict[str, int]] = field(default_factory=lambda: defaultdict(dict))
    reps: dict[str, RepCalls] = field(default_factory=lambda: defaultdict(RepCalls))

    def __post_init__(self) -> None:
        for row in self.by_day:
            self.per_day[row["day"]][row["disposition"]] = row["n"]
        for row in self.by_rep:
            rep = self.reps[row["username"]]
            rep.calls += row["n"]
            rep.seconds += row["seconds"] or 0
            rep.by_disposition[row["disposition"]] = row["n"]
            if row["disposition"] in CONNECTED_DISPOSITIONS:
                rep.connected += row["n"]

    @property
    def x(self) -> list[str]:
        return [d.isoformat() for d in self.days]

    @property
    def dispositions(self) -> list[str]:
        """Every disposition in range, the known ones first."""
        return sorted(
            {r["disposition"] for r in self.by_day} | {r["disposition"] for r in self.by_rep},
            key=lambda d: (d not in DISPOSITION_COLORS, d),
        )

    @property
    def rep_order(self) -> list[str]:
        """The reps, most calls first."""
        return sorted(self.reps, key=lambda u: (-self.reps[u].calls, u))

    @property
    def rep_chart_height(self) -> int:
        return max(260, 80 + 34 * len(self.reps))


def call_counts(filters: ReportFilters, user) -> CallCounts:
    qs = calls_queryset(filters, user)
    return CallCounts(
        days=days_between(filters.start, filters.end),
        by_day=list(
            qs.values("day", "disposition").annotate(n=Sum("calls")).order_by("day", "disposition")
        ),
        by_rep=list(
            qs.values("username", "disposition")
            .annotate(n=Sum("calls"), seconds=Sum("seconds"))
            .order_by("username", "disposition")
        ),
        buckets=dict(qs.values("bucket").annotate(n=Sum("calls")).values_list("bucket", "n")),
    )


def calls_section(filters: ReportFilters, user) -> Section:
    counts = call_counts(filters, user)
    leaderboard = leaderboard_rows(counts)
    section = Section("calls")
    section.charts.append(calls_daily_chart(counts, filters))
    section.charts.append(connect_rate_chart(counts, filters))
    section.charts.append(calls_reps_chart(counts))
    section.charts.append(leaderboard_chart(counts, leaderboard))
    section.charts.append(durations_chart(counts))
    section.figures["leaderboard"] = leaderboard
    section.figures["kpis"] = calls_kpis(counts, leaderboard)
    return section


def disposition_color(disposition: str, index: int) -> str:
    return DISPOSITION_COLORS.get(disposition, COLORS[index % len(COLORS)])


def disposition_bars(
    counts: CallCounts, categories: list[str], values: Callable[[str], list[int]], axis: str
) -> list[dict[str, Any]]:
    """One stacked bar trace per disposition: `values(disposition)` along `categories`,
    which lie on `axis` ("x" for columns, "y" for horizontal bars)."""
    other = "y" if axis == "x" else "x"
    traces = []
    for i, d in enumerate(counts.dispositions):
        trace: dict[str, Any] = (
            {"type": "bar"} if axis == "x" else {"type": "bar", "orientation": "h"}
        )
        trace |= {"name": label(d), axis: categories, other: values(d)}
        trace["marker"] = {"color": disposition_color(d, i)}
        traces.append(trace)
    return traces


def calls_daily_chart(counts: CallCounts, filters: ReportFilters) -> Chart:
    traces = disposition_bars(
        counts, counts.x, lambda d: [counts.per_day[day].get(d, 0) for day in counts.days], "x"
    )
    return Chart(
        "calls_daily",
        "Calls per day, by disposition",
        {
            "data": traces,
            "layout": layout(
                "Calls per day, by disposition", barmode="stack", **partial_day(filters)
            ),
        },
        ["day", "disposition", "calls"],
        [[r["day"].isoformat(), r["disposition"], r["n"]] for r in counts.by_day],
    )


def connect_rate_chart(counts: CallCounts, filters: ReportFilters) -> Chart:
    per_day, days = counts.per_day, counts.days
    connected = [sum(per_day[d].get(c, 0) for c in CONNECTED_DISPOSITIONS) for d in days]
    totals = [sum(per_day[d].values()) for d in days]
    rate = [ratio(c, t) for c, t in zip(connected, totals, strict=True)]
    trace = {
        "type": "scatter",
        "mode": "lines+markers",
        "name": "Connect rate",
        "x": counts.x,
        "y": rate,
        "connectgaps": False,
        "line": {"color": COLORS[1], "width": 2},
    }
    return Chart(
        "connect_rate",
        "Connect rate per day (%)",
        {
            "data": [trace],
            "layout": layout(
                "Connect rate per day (%)",
                yaxis={"ticksuffix": "%"},
                showlegend=False,
                **partial_day(filters),
            ),
        },
        ["day", "calls", "connected", "connect_rate_percent"],
        [
            [d.isoformat(), t, c, r]
            for d, t, c, r in zip(days, totals, connected, rate, strict=True)
            if t
        ],
    )


def calls_reps_chart(counts: CallCounts) -> Chart:
    order = counts.rep_order
    traces = disposition_bars(
        counts, order, lambda d: [counts.reps[u].by_disposition.get(d, 0) for u in order], "y"
    )
    return Chart(
        "calls_reps",
        "Dispositions by rep",
        {
            "data": traces,
            "layout": layout(
                "Dispositions by rep",
                barmode="stack",
                height=counts.rep_chart_height,
                hovermode="closest",
                yaxis={"autorange": "reversed", "rangemode": "normal"},
            ),
        },
        ["rep", "disposition", "calls"],
        [[r["username"], r["disposition"], r["n"]] for r in counts.by_rep],
    )


def leaderboard_rows(counts: CallCounts) -> list[dict[str, Any]]:
    """One row per rep, most calls first; the keys are the leaderboard CSV's columns."""
    return [
        {
            "rep": u,
            "calls": rep.calls,
            "connected": rep.connected,
            "connect_rate": ratio(rep.connected, rep.calls),
            "avg_minutes": round(rep.seconds / rep.calls / 60, 1) if rep.calls else None,
            "meetings": rep.by_disposition.get("MEETING_BOOKED", 0),
        }
        for u, rep in ((u, counts.reps[u]) for u in counts.rep_order)
    ]


def leaderboard_chart(counts: CallCounts, leaderboard: list[dict[str, Any]]) -> Chart:
    order = [r["rep"] for r in leaderboard]
    calls = [r["calls"] for r in leaderboard]
    trace = {
        "type": "bar",
        "orientation": "h",
        "name": "Calls",
        "y": order,
        "x": calls,
        "marker": {"color": COLORS[0]},
        "text": calls,
        "textposition": "auto",
    }
    return Chart(
        "leaderboard",
        "Calls per rep",
        {
            "data": [trace],
            "layout": layout(
                "Calls per rep",
                height=counts.rep_chart_height,
                showlegend=False,
                hovermode="closest",
                yaxis={"autorange": "reversed", "rangemode": "normal"},
            ),
        },
        ["rep", "calls", "connected", "connect_rate_percent", "avg_minutes", "meetings"],
        [list(r.values()) for r in leaderboard],
    )


def durations_chart(counts: CallCounts) -> Chart:
    labels = [lbl for _, lbl in DURATION_BUCKETS]
    calls = [counts.buckets.get(i, 0) for i in range(len(DURATION_BUCKETS))]
    trace = {
        "type": "bar",
        "name": "Calls",
        "x": labels,
        "y": calls,
        "marker": {"color": COLORS[5]},
    }
    return Chart(
        "durations",
        "Call durations",
        {
            "data": [trace],
            "layout": layout("Call durations", showlegend=False, hovermode="closest"),
        },
        ["duration", "calls"],
        [[lbl, n] for lbl, n in zip(labels, calls, strict=True)] if any(calls) else [],
    )


def calls_kpis(counts: CallCounts, leaderboard: list[dict[str, Any]]) -> dict[str, Any]:
    total = sum(r["calls"] for r in leaderboard)
    total_connected = sum(r["connected"] for r in leaderboard)
    seconds = sum(rep.seconds for rep in counts.reps.values())
    return {
        "calls": total,
        "connected": total_connected,
        "connect_rate": ratio(total_connected, total),
        "avg_minutes": round(seconds / total / 60, 1) if total else None,
        "meetings": sum(r["meetings"] for r in leaderboard),
    }


def label(disposition: str) -> str:
    return disposition.replace("_", " ").capitalize() if disposition else "(none)"


# -- what the views and emails ask for ----------------------------------------------

SECTIONS = ("engagement", "funnel", "calls", "cadences")
CHART_SECTIONS = {
    "engagement": "engagement",
    "engagement_cadences": "engagement",
    "rates": "engagement",
    "funnel": "funnel",
    "ab": "funnel",
    "calls_daily": "calls",
    "connect_rate": "calls",
    "calls_reps": "calls",
    "leaderboard": "calls",
    "durations": "calls",
    "cadences": "cadences",
    # The outcome funnel's own page (reporting/funnel.py), not a section of this one.
    "outcome_funnel": "outcome",
}


def build_section(name: str, filters: ReportFilters, user) -> Section:
    if name == "engagement":
        return engagement_section(filters)
    if name == "funnel":
        return funnel_section(filters)
    if name == "calls":
        return calls_section(filters, user)
    if name == "outcome":
        from reporting import funnel  # it draws with this module's Chart and layout

        return funnel.funnel_section(filters, user)
    if name == "cadences":
        section = Section("cadences")
        section.charts.append(comparison_chart(filters))
        section.figures["rows"] = comparison_rows_from(section.charts[0])
        return section
    raise KeyError(name)


def comparison_rows_from(chart: Chart) -> list[dict[str, Any]]:
    return [dict(zip(chart.columns, row, strict=True)) for row in chart.rows]


def build_chart(name: str, filters: ReportFilters, user) -> Chart:
    section = build_section(CHART_SECTIONS[name], filters, user)
    chart = section.chart(name)
    assert chart is not None
    return chart


def latest_engagement_day() -> date | None:
    return EngagementDay.objects.aggregate(latest=Max("day"))["latest"]
