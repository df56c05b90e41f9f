"""Deliverability health: bounce and unsubscribe rates per cadence and per rep against
the 2% and 5% bands, sending capacity against Klenty's daily limit, and the trend.

What a rate is divided by. Email Engagements counts bounces and unsubscribes per
cadence and day but no mails sent; StepWise Metric Engagement counts the mails each
step sent over its range (REPORTS_STEPWISE_DAYS, ending on the day it was taken).
Bounces per mail sent is what mailbox providers judge, so a cadence with a step-wise
snapshot is divided by the mails of its latest snapshot; one without any falls back to
the prospects added in the window, and every row says which it is. A rep's rates add
up the cadences they own (engagement is attributed through cadence owners, as in
reporting/scope.py), per mail only when each of those cadences has a mail count.

Klenty's reports give no mails per day, so capacity is the average per day over a
snapshot's range (its mails divided by its days), against KLENTY_DAILY_SEND_LIMIT per
account. Where the "Email sent" webhook (sendProspect) delivers, its events do count
mails per day: each rep's busiest day in the window is shown beside the average,
attributed to the cadence owner the event names, like the rest of the page.
The daily trend has no daily mail count either: it divides by prospects added, over a
rolling 7 days so that one quiet day is not a spike.

Every figure comes from five GROUP BY queries sized by cadences and days, never by the
number of stored rows.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Count, OuterRef, Subquery, Sum
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from cadences.models import Cadence, Event
from klentyadmin.integrations.klenty.target import klenty_target
from reporting.charts import COLORS, Chart, layout, ratio
from reporting.models import EngagementDay, StepRow, StepSnapshot
from reporting.scope import cadence_owner, owned

WINDOW_DAYS = 90
ROLLING_DAYS = 7
WARNING_PERCENT = 2.0
DANGER_PERCENT = 5.0
# Capacity bands: most of the day's limit used is a warning, past it is danger.
CAPACITY_WARNING_PERCENT = 80.0
CAPACITY_DANGER_PERCENT = 100.0
PER_MAIL = "mails sent"
PER_PROSPECT = "prospects added"
NOT_ATTRIBUTED = "No known owner"
SENT_EVENT = "sendProspect"  # Klenty's "Email sent to the prospect" webhook


@dataclass(frozen=True)
class Band:
    name: str  # ok, warning, danger, none: the CSS class
    label: str  # the words beside the colour


NO_DATA = Band("none", "No data")


def band(percent: float | None, warning: float, danger: float) -> Band:
    """Over `danger` is danger, over `warning` a warning, else ok."""
    if percent is None:
        return NO_DATA
    if percent > danger:
        return Band("danger", f"Danger: over {danger:g}%")
    if percent > warning:
        return Band("warning", f"Warning: over {warning:g}%")
    return Band("ok", "OK")


def rate_band(percent: float | None) -> Band:
    return band(percent, WARNING_PERCENT, DANGER_PERCENT)


def exact_percent(part: int, whole: int) -> float | None:
    return 100.0 * part / whole if whole else None


@dataclass
class Health:
    """One row of a table: a cadence or a rep."""

    name: str
    bounces: int = 0
    unsubscribes: int = 0
    added: int = 0
    # Mails sent per the step-wise snapshots, None when some cadence has none.
    mails: int | None = None
    mails_per_day: float | None = None
    cadences: int = 0
    # The day with the most "Email sent" webhook events, and how many.
    busiest_day: date | None = None
    busiest_sends: int | None = None

    @property
    def basis(self) -> str:
        return PER_MAIL if self.mails else PER_PROSPECT

    @property
    def divisor(self) -> int:
        return self.mails if self.mails else self.added

    def _exact(self, count: int) -> float | None:
        return exact_percent(count, self.divisor)

    @property
    def bounce_rate(self) -> float | None:
        return ratio(self.bounces, self.divisor)

    @property
    def unsubscribe_rate(self) -> float | None:
        return ratio(self.unsubscribes, self.divisor)

    @property
    def bounce_band(self) -> Band:
        return rate_band(self._exact(self.bounces))

    @property
    def unsubscribe_band(self) -> Band:
        return rate_band(self._exact(self.unsubscribes))

    @property
    def capacity_percent(self) -> float | None:
        if self.mails_per_day is None:
            return None
        return round(100.0 * self.mails_per_day / settings.KLENTY_DAILY_SEND_LIMIT, 1)

    @property
    def busiest_percent(self) -> float | None:
        if self.busiest_sends is None:
            return None
        return round(100.0 * self.busiest_sends / settings.KLENTY_DAILY_SEND_LIMIT, 1)

    @property
    def busiest_band(self) -> Band:
        if self.busiest_sends is None:
            return NO_DATA
        used = 100.0 * self.busiest_sends / settings.KLENTY_DAILY_SEND_LIMIT
        return band(used, CAPACITY_WARNING_PERCENT, CAPACITY_DANGER_PERCENT)

    @property
    def capacity_band(self) -> Band:
        if self.mails_per_day is None:
            return NO_DATA
        used = 100.0 * self.mails_per_day / settings.KLENTY_DAILY_SEND_LIMIT
        return band(used, CAPACITY_WARNING_PERCENT, CAPACITY_DANGER_PERCENT)


@dataclass
class Snapshot:
    mails: int
    start: date
    end: date

    @property
    def per_day(self) -> float:
        return self.mails / ((self.end - self.start).days + 1)


@dataclass
class Deliverability:
    start: date
    end: date
    cadences: list[Health] = field(default_factory=list)
    reps: list[Health] = field(default_factory=list)
    team: Health = field(default_factory=lambda: Health("Team"))
    trend: Chart | None = None
    limit: int = 0


def window(today: date | None = None) -> tuple[date, date]:
    end = today or timezone.localdate()
    return end - timedelta(days=WINDOW_DAYS - 1), end


def cadence_totals(owner: str | None, start: date, end: date) -> list[dict[str, Any]]:
    qs = owned(EngagementDay.objects.filter(day__gte=start, day__lte=end), owner)
    return list(
        qs.values("cadence_name")
        .annotate(
            bounces=Sum("bounces"), unsubscribes=Sum("unsubscribes"), added=Sum("prospects_added")
        )
        .order_by("cadence_name")
    )


def latest_snapshots(owner: str | None, end: date) -> dict[str, Snapshot]:
    """The mails sent of each cadence's latest step-wise snapshot (taken by `end`): the
    steps themselves (option 0), not their A/B options, which split the same mails."""
    latest = (
        StepSnapshot.objects.filter(
            cadence_name=OuterRef("snapshot__cadence_name"), taken_on__lte=end
        )
        .order_by("-taken_on")
        .values("taken_on")[:1]
    )
    rows = (
        StepRow.objects.filter(option=0, snapshot__taken_on=Subquery(latest))
        .values("snapshot__cadence_name", "snapshot__range_start", "snapshot__range_end")
        .annotate(mails=Sum("mails"))
    )
    if owner is not None:
        rows = rows.filter(snapshot__in=owned(StepSnapshot.objects.all(), owner))
    return {
        r["snapshot__cadence_name"]: Snapshot(
            r["mails"] or 0, r["snapshot__range_start"], r["snapshot__range_end"]
        )
        for r in rows
    }


def cadence_owners(names: list[str]) -> dict[str, list[str]]:
    owners: dict[str, list[str]] = defaultdict(list)
    for name, emails in Cadence.objects.filter(name__in=names).values_list("name", "owners"):
        owners[name].extend(e.lower() for e in emails or [])
    return owners


def add_to(total: Health, row: Health) -> None:
    """Adds a cadence's counts to a rep's or the team's; its mails stay known only while
    every cadence added has a mail count."""
    first = total.cadences == 0
    total.bounces += row.bounces
    total.unsubscribes += row.unsubscribes
    total.added += row.added
    if row.mails is None:
        total.mails = None
        total.mails_per_day = None
    elif first or total.mails is not None:
        total.mails = (total.mails or 0) + row.mails
        total.mails_per_day = (total.mails_per_day or 0) + (row.mails_per_day or 0)
    total.cadences += 1


def deliverability(user, today: date | None = None) -> Deliverability:
    start, end = window(today)
    owner = cadence_owner(user)
    totals = cadence_totals(owner, start, end)
    snapshots = latest_snapshots(owner, end)
    names = sorted({r["cadence_name"] for r in totals} | set(snapshots))
    owners = cadence_owners(names)
    by_name = {r["cadence_name"]: r for r in totals}
    result = Deliverability(start, end, limit=settings.KLENTY_DAILY_SEND_LIMIT)
    members = klenty_target().team_emails if owner is None else ((owner,) if owner else ())
    reps = {email.lower(): Health(email.lower()) for email in members}
    for name in names:
        counts = by_name.get(name, {})
        snapshot = snapshots.get(name)
        row = Health(
            name,
            bounces=counts.get("bounces") or 0,
            unsubscribes=counts.get("unsubscribes") or 0,
            added=counts.get("added") or 0,
            mails=snapshot.mails if snapshot else None,
            mails_per_day=snapshot.per_day if snapshot else None,
            cadences=1,
        )
        result.cadences.append(row)
        add_to(result.team, row)
        cadence_reps = [e for e in owners.get(name, []) if owner is None or e == owner]
        for email in cadence_reps or ([NOT_ATTRIBUTED] if owner is None else []):
            add_to(reps.setdefault(email, Health(email)), row)
    for email, (day, sends) in busiest_send_days(user, start, end).items():
        if email in reps:
            reps[email].busiest_day, reps[email].busiest_sends = day, sends
    result.reps = sorted(reps.values(), key=lambda r: (r.name == NOT_ATTRIBUTED, r.name))
    result.cadences.sort(key=lambda r: (-(r._exact(r.bounces) or 0), r.name.lower()))
    result.trend = trend_chart(owner, start, end)
    return result


def busiest_send_days(user, start: date, end: date) -> dict[str, tuple[date, int]]:
    """Each cadence owner's day with the most "Email sent" webhook events in the
    window, in the viewer's zone: one GROUP BY of at most owners x days rows."""
    zone = timezone.get_current_timezone()
    since = datetime.combine(start, time.min, tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone)
    rows = (
        Event.objects.visible_to(user)
        .filter(event_type=SENT_EVENT, received_at__gte=since - timedelta(days=1))
        .annotate(at=Coalesce("occurred_at", "received_at"))
        .filter(at__gte=since, at__lt=until)
        .annotate(day=TruncDate("at", tzinfo=zone))
        .values("cadence_owner", "day")
        .annotate(n=Count("id"))
        .order_by()
    )
    busiest: dict[str, tuple[date, int]] = {}
    for row in rows:
        owner = row["cadence_owner"].lower()
        if owner and (owner not in busiest or row["n"] > busiest[owner][1]):
            busiest[owner] = (row["day"], row["n"])
    return busiest


def trend_chart(owner: str | None, start: date, end: date) -> Chart:
    """Bounce and unsubscribe rates per day over the window, each over the 7 days to
    that day, per prospect added; the 2% and 5% lines drawn across."""
    fetch_from = start - timedelta(days=ROLLING_DAYS - 1)
    daily = {
        r["day"]: r
        for r in owned(EngagementDay.objects.filter(day__gte=fetch_from, day__lte=end), owner)
        .values("day")
        .annotate(
            bounces=Sum("bounces"), unsubscribes=Sum("unsubscribes"), added=Sum("prospects_added")
        )
        .order_by("day")
    }
    days = [start + timedelta(days=n) for n in range((end - start).days + 1)]
    rows = []
    for day in days:
        week = [
            daily[d] for d in (day - timedelta(days=n) for n in range(ROLLING_DAYS)) if d in daily
        ]
        added = sum(r["added"] or 0 for r in week)
        bounces = sum(r["bounces"] or 0 for r in week)
        unsubscribes = sum(r["unsubscribes"] or 0 for r in week)
        rows.append(
            [
                day.isoformat(),
                added,
                bounces,
                unsubscribes,
                ratio(bounces, added),
                ratio(unsubscribes, added),
            ]
        )
    x = [r[0] for r in rows]
    traces = [
        {
            "type": "scatter",
            "mode": "lines",
            "name": label,
            "x": x,
            "y": [r[column] for r in rows],
            "connectgaps": False,
            "line": {"color": color, "width": 2},
        }
        for label, column, color in (
            ("Bounce rate", 4, COLORS[3]),
            ("Unsubscribe rate", 5, COLORS[4]),
        )
    ]
    title = f"Bounce and unsubscribe rates, {ROLLING_DAYS} days to each day (% of prospects added)"
    bands = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "yref": "y",
            "y0": level,
            "y1": level,
            "line": {"color": color, "width": 1, "dash": "dash"},
        }
        for level, color in ((WARNING_PERCENT, "#f59e0b"), (DANGER_PERCENT, "#dc2626"))
    ]
    notes = [
        {
            "xref": "paper",
            "x": 1,
            "y": level,
            "yref": "y",
            "xanchor": "right",
            "yanchor": "bottom",
            "showarrow": False,
            "text": text,
            "font": {"size": 11, "color": color},
        }
        for level, text, color in (
            (WARNING_PERCENT, "2%: warning", "#b45309"),
            (DANGER_PERCENT, "5%: danger", "#b91c1c"),
        )
    ]
    return Chart(
        "deliverability_trend",
        title,
        {
            "data": traces,
            "layout": layout(title, yaxis={"ticksuffix": "%"}, shapes=bands, annotations=notes),
        },
        [
            "day",
            "prospects_added_7d",
            "bounces_7d",
            "unsubscribes_7d",
            "bounce_rate_percent",
            "unsubscribe_rate_percent",
        ],
        rows if daily else [],
    )


HEALTH_COLUMNS = [
    "name",
    "bounces",
    "bounce_rate_percent",
    "bounce_band",
    "unsubscribes",
    "unsubscribe_rate_percent",
    "unsubscribe_band",
    "divided_by",
    "basis",
    "mails_per_day",
    "capacity_percent",
    "busiest_day",
    "busiest_sends",
]


def health_table(rows: list[Health]) -> list[list[Any]]:
    """A table's rows as its CSV has them (HEALTH_COLUMNS)."""
    return [
        [
            r.name,
            r.bounces,
            r.bounce_rate,
            r.bounce_band.label,
            r.unsubscribes,
            r.unsubscribe_rate,
            r.unsubscribe_band.label,
            r.divisor,
            r.basis,
            None if r.mails_per_day is None else round(r.mails_per_day, 1),
            r.capacity_percent,
            r.busiest_day.isoformat() if r.busiest_day else None,
            r.busiest_sends,
        ]
        for r in rows
    ]
