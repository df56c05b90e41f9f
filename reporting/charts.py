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

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Max, Sum

from reporting.forms import ReportFilters
from reporting.models import CONNECTED_DISPOSITIONS, CallDay, EngagementDay, StepSnapshot
from reporting.rollups import DURATION_BUCKETS

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


@dataclass
class Chart:
    """One figure and the table behind it."""

    name: str
    title: str
    figure: dict[str, Any]
    columns: list[str]
    rows: list[list[Any]]
    note: str = ""

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


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=n) for n in range((end - start).days + 1)]


# -- email engagement ---------------------------------------------------------------


def engagement_queryset(filters: ReportFilters, start: date, end: date):
    qs = EngagementDay.objects.filter(day__gte=start, day__lte=end)
    if filters.cadences:
        qs = qs.filter(cadence_name__in=filters.cadences)
    return qs


def sums(*metrics: str) -> dict[str, Sum]:
    return {m: Sum(m) for m in metrics}


def rates(totals: dict[str, int]) -> dict[str, float | None]:
    added = totals.get("prospects_added", 0)
    return {
        # Opens count every open, so this can pass 100%: label it as the ratio it is.
        "Opens ÷ prospects added": ratio(totals.get("opens", 0), added),
        "Click rate": ratio(totals.get("clicks", 0), totals.get("opens", 0)),
        "Reply rate": ratio(totals.get("replies", 0), added),
        "Bounce rate": ratio(totals.get("bounces", 0), added),
        "Unsubscribe rate": ratio(totals.get("unsubscribes", 0), added),
        "Positive share": ratio(totals.get("positive", 0), totals.get("replies", 0)),
    }


def engagement_section(filters: ReportFilters) -> Section:
    before_start, before_end = filters.previous
    # One query for both periods, one row per day: the daily series and both totals.
    daily = {
        row["day"]: row
        for row in engagement_queryset(filters, before_start, filters.end)
        .values("day")
        .annotate(**sums(*EngagementDay.METRICS))
        .order_by("day")
    }
    now_days = days_between(filters.start, filters.end)
    before_days = days_between(before_start, before_end)
    totals_now = {
        m: sum(daily[d][m] for d in now_days if d in daily) for m in EngagementDay.METRICS
    }
    totals_before = {
        m: sum(daily[d][m] for d in before_days if d in daily) for m in EngagementDay.METRICS
    }
    section = Section("engagement")
    section.figures["totals"] = totals_now
    section.figures["totals_before"] = totals_before
    rates_now, rates_before = rates(totals_now), rates(totals_before)
    section.figures["rates"] = [Rate(k, rates_now[k], rates_before[k]) for k in rates_now]

    x = [d.isoformat() for d in now_days]
    traces = []
    rows = []
    for i, (metric, label) in enumerate(ENGAGEMENT_SERIES):
        y = [daily[d][metric] if d in daily else 0 for d in now_days]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": label,
                "x": x,
                "y": y,
                "line": {"color": COLORS[i], "width": 2},
            }
        )
    for metric, label in (("opens", "Opens"), ("replies", "Replies")):
        color = COLORS[0] if metric == "opens" else COLORS[2]
        # The previous period drawn on this period's days, to compare shapes.
        y = [daily[d][metric] if d in daily else 0 for d in before_days]
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": f"{label}, previous period",
                "x": x,
                "y": y,
                "line": {"color": color, "width": 1.5, "dash": "dot"},
                "customdata": [d.isoformat() for d in before_days],
                "hovertemplate": "%{y} on %{customdata}",
            }
        )
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
    section.charts.append(
        Chart(
            "engagement",
            "Email engagement per day",
            {"data": traces, "layout": layout("Email engagement per day")},
            ["day", *EngagementDay.METRICS, "previous_day", "previous_opens", "previous_replies"],
            rows if daily else [],
        )
    )
    section.charts.append(cadence_trend_chart(filters, now_days))
    section.charts.append(rates_chart(section.figures["rates"]))
    return section


def cadence_trend_chart(filters: ReportFilters, now_days: list[date]) -> Chart:
    in_range = engagement_queryset(filters, filters.start, filters.end)
    # The busiest cadences first (one small GROUP BY), then their days only.
    ranked = list(
        in_range.values("cadence_name")
        .annotate(total=Sum("replies"))
        .order_by("-total", "cadence_name")
        .values_list("cadence_name", flat=True)[: TOP_CADENCES + 1]
    )
    more = len(ranked) > TOP_CADENCES
    ranked = ranked[:TOP_CADENCES]
    per = (
        in_range.filter(cadence_name__in=ranked)
        .values("cadence_name", "day")
        .annotate(**sums("opens", "replies"))
    )
    by_cadence: dict[str, dict[date, dict]] = {name: {} for name in ranked}
    for row in per:
        by_cadence[row["cadence_name"]][row["day"]] = row
    x = [d.isoformat() for d in now_days]
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": name,
            "x": x,
            "y": [by_cadence[name].get(d, {}).get("replies", 0) for d in now_days],
            "line": {"color": COLORS[i % len(COLORS)], "width": 2},
        }
        for i, name in enumerate(ranked)
    ]
    rows = [
        [d.isoformat(), name, by_cadence[name][d]["opens"], by_cadence[name][d]["replies"]]
        for name in sorted(by_cadence)
        for d in now_days
        if d in by_cadence[name]
    ]
    title = "Replies per day by cadence" + (f" (top {TOP_CADENCES})" if more else "")
    return Chart(
        "engagement_cadences",
        title,
        {"data": traces, "layout": layout(title)},
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


def funnel_cadences(end: date) -> list[str]:
    return list(
        StepSnapshot.objects.filter(taken_on__lte=end)
        .order_by("cadence_name")
        .values_list("cadence_name", flat=True)
        .distinct()
    )


def funnel_section(filters: ReportFilters) -> Section:
    section = Section("funnel")
    names = funnel_cadences(filters.end)
    preferred = [c for c in filters.cadences if c in names]
    cadence = filters.funnel if filters.funnel in names else (preferred or names or [""])[0]
    section.figures["cadences"] = names
    section.figures["cadence"] = cadence
    snapshot = StepSnapshot.objects.filter(cadence_name=cadence, taken_on__lte=filters.end).first()
    rows = list(snapshot.rows.all()) if snapshot else []
    section.figures["snapshot"] = snapshot
    steps = [r for r in rows if r.option == 0]
    options = [r for r in rows if r.option > 0]
    labels = [f"Step {r.step_number} · {r.step_type or '?'}" for r in steps]
    metrics = [
        ("mails", "Mails sent"),
        ("opens", "Opens"),
        ("replies", "Replies"),
        ("links", "Links clicked"),
        ("tasks", "Tasks"),
        ("calls", "Calls"),
    ]
    traces = [
        {
            "type": "bar",
            "name": label,
            "x": labels,
            "y": [getattr(r, attr) for r in steps],
            "marker": {"color": COLORS[i]},
        }
        for i, (attr, label) in enumerate(metrics)
    ]
    title = f"Step-wise funnel: {cadence}" if cadence else "Step-wise funnel"
    if snapshot:
        title += f" ({snapshot.range_start:%d %b} – {snapshot.range_end:%d %b %Y})"
    columns = [
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

    def table(items):
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

    section.charts.append(
        Chart(
            "funnel",
            title,
            {"data": traces, "layout": layout(title, barmode="group", hovermode="closest")},
            columns,
            table(steps),
        )
    )
    ab_labels = [f"Step {r.step_number} · option {chr(64 + r.option)}" for r in options]
    ab_traces = [
        {
            "type": "bar",
            "name": label,
            "x": ab_labels,
            "y": [getattr(r, attr) for r in options],
            "marker": {"color": COLORS[i]},
            "customdata": [r.subject for r in options],
            "hovertemplate": "%{y} — %{customdata}",
        }
        for i, (attr, label) in enumerate(metrics[:4])
    ]
    section.charts.append(
        Chart(
            "ab",
            "A/B options side by side",
            {
                "data": ab_traces,
                "layout": layout("A/B options side by side", barmode="group", hovermode="closest"),
            },
            columns,
            table(options),
            note="" if options else "This cadence has no A/B options.",
        )
    )
    return section


# -- calls --------------------------------------------------------------------------


def calls_queryset(filters: ReportFilters, user):
    """The CallDay rows in range that `user` may see (a Rep: their own)."""
    qs = CallDay.objects.visible_to(user).filter(day__gte=filters.start, day__lte=filters.end)
    if filters.reps and user.is_manager_or_admin:
        qs = qs.filter(username__in=filters.reps)
    return qs


def calls_section(filters: ReportFilters, user) -> Section:
    qs = calls_queryset(filters, user)
    by_day = list(
        qs.values("day", "disposition").annotate(n=Sum("calls")).order_by("day", "disposition")
    )
    by_rep = list(
        qs.values("username", "disposition")
        .annotate(n=Sum("calls"), seconds=Sum("seconds"))
        .order_by("username", "disposition")
    )
    buckets = dict(qs.values("bucket").annotate(n=Sum("calls")).values_list("bucket", "n"))
    section = Section("calls")
    days = days_between(filters.start, filters.end)
    x = [d.isoformat() for d in days]
    dispositions = sorted(
        {r["disposition"] for r in by_day} | {r["disposition"] for r in by_rep},
        key=lambda d: (d not in DISPOSITION_COLORS, d),
    )
    per_day: dict[date, dict[str, int]] = defaultdict(dict)
    for row in by_day:
        per_day[row["day"]][row["disposition"]] = row["n"]

    def color(d: str, i: int) -> str:
        return DISPOSITION_COLORS.get(d, COLORS[i % len(COLORS)])

    daily_traces = [
        {
            "type": "bar",
            "name": label(d),
            "x": x,
            "y": [per_day[day].get(d, 0) for day in days],
            "marker": {"color": color(d, i)},
        }
        for i, d in enumerate(dispositions)
    ]
    section.charts.append(
        Chart(
            "calls_daily",
            "Calls per day, by disposition",
            {
                "data": daily_traces,
                "layout": layout("Calls per day, by disposition", barmode="stack"),
            },
            ["day", "disposition", "calls"],
            [[r["day"].isoformat(), r["disposition"], r["n"]] for r in by_day],
        )
    )

    connected = [sum(per_day[d].get(c, 0) for c in CONNECTED_DISPOSITIONS) for d in days]
    totals = [sum(per_day[d].values()) for d in days]
    rate = [ratio(c, t) for c, t in zip(connected, totals, strict=True)]
    section.charts.append(
        Chart(
            "connect_rate",
            "Connect rate per day (%)",
            {
                "data": [
                    {
                        "type": "scatter",
                        "mode": "lines+markers",
                        "name": "Connect rate",
                        "x": x,
                        "y": rate,
                        "connectgaps": False,
                        "line": {"color": COLORS[1], "width": 2},
                    }
                ],
                "layout": layout(
                    "Connect rate per day (%)", yaxis={"ticksuffix": "%"}, showlegend=False
                ),
            },
            ["day", "calls", "connected", "connect_rate_percent"],
            [
                [d.isoformat(), t, c, r]
                for d, t, c, r in zip(days, totals, connected, rate, strict=True)
                if t
            ],
        )
    )

    reps: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"calls": 0, "connected": 0, "seconds": 0, "by": {}}
    )
    for row in by_rep:
        rep = reps[row["username"]]
        rep["calls"] += row["n"]
        rep["seconds"] += row["seconds"] or 0
        rep["by"][row["disposition"]] = row["n"]
        if row["disposition"] in CONNECTED_DISPOSITIONS:
            rep["connected"] += row["n"]
    order = sorted(reps, key=lambda u: (-reps[u]["calls"], u))
    rep_traces = [
        {
            "type": "bar",
            "orientation": "h",
            "name": label(d),
            "y": order,
            "x": [reps[u]["by"].get(d, 0) for u in order],
            "marker": {"color": color(d, i)},
        }
        for i, d in enumerate(dispositions)
    ]
    height = max(260, 80 + 34 * len(order))
    section.charts.append(
        Chart(
            "calls_reps",
            "Dispositions by rep",
            {
                "data": rep_traces,
                "layout": layout(
                    "Dispositions by rep",
                    barmode="stack",
                    height=height,
                    hovermode="closest",
                    yaxis={"autorange": "reversed", "rangemode": "normal"},
                ),
            },
            ["rep", "disposition", "calls"],
            [[r["username"], r["disposition"], r["n"]] for r in by_rep],
        )
    )

    leaderboard = [
        {
            "rep": u,
            "calls": reps[u]["calls"],
            "connected": reps[u]["connected"],
            "connect_rate": ratio(reps[u]["connected"], reps[u]["calls"]),
            "avg_minutes": round(reps[u]["seconds"] / reps[u]["calls"] / 60, 1)
            if reps[u]["calls"]
            else None,
            "meetings": reps[u]["by"].get("MEETING_BOOKED", 0),
        }
        for u in order
    ]
    section.figures["leaderboard"] = leaderboard
    section.charts.append(
        Chart(
            "leaderboard",
            "Calls per rep",
            {
                "data": [
                    {
                        "type": "bar",
                        "orientation": "h",
                        "name": "Calls",
                        "y": order,
                        "x": [reps[u]["calls"] for u in order],
                        "marker": {"color": COLORS[0]},
                        "text": [reps[u]["calls"] for u in order],
                        "textposition": "auto",
                    }
                ],
                "layout": layout(
                    "Calls per rep",
                    height=height,
                    showlegend=False,
                    hovermode="closest",
                    yaxis={"autorange": "reversed", "rangemode": "normal"},
                ),
            },
            ["rep", "calls", "connected", "connect_rate_percent", "avg_minutes", "meetings"],
            [list(r.values()) for r in leaderboard],
        )
    )

    labels = [lbl for _, lbl in DURATION_BUCKETS]
    counts = [buckets.get(i, 0) for i in range(len(DURATION_BUCKETS))]
    section.charts.append(
        Chart(
            "durations",
            "Call durations",
            {
                "data": [
                    {
                        "type": "bar",
                        "name": "Calls",
                        "x": labels,
                        "y": counts,
                        "marker": {"color": COLORS[5]},
                    }
                ],
                "layout": layout("Call durations", showlegend=False, hovermode="closest"),
            },
            ["duration", "calls"],
            [[lbl, n] for lbl, n in zip(labels, counts, strict=True)] if any(counts) else [],
        )
    )
    total = sum(r["calls"] for r in leaderboard)
    total_connected = sum(r["connected"] for r in leaderboard)
    seconds = sum(reps[u]["seconds"] for u in order)
    section.figures["kpis"] = {
        "calls": total,
        "connected": total_connected,
        "connect_rate": ratio(total_connected, total),
        "avg_minutes": round(seconds / total / 60, 1) if total else None,
        "meetings": sum(r["meetings"] for r in leaderboard),
    }
    return section


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
}


def build_section(name: str, filters: ReportFilters, user) -> Section:
    if name == "engagement":
        return engagement_section(filters)
    if name == "funnel":
        return funnel_section(filters)
    if name == "calls":
        return calls_section(filters, user)
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


def cadence_names() -> list[str]:
    return list(
        EngagementDay.objects.order_by("cadence_name")
        .values_list("cadence_name", flat=True)
        .distinct()
    )


def latest_engagement_day() -> date | None:
    return EngagementDay.objects.aggregate(latest=Max("day"))["latest"]
