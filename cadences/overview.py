"""What the cadence pages show, each figure aggregated in SQL and scoped to the viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils import timezone

from cadences.models import Cadence, Event
from prospects.models import Prospect
from reporting.models import EngagementDay

# The engagement summary: the reporting app's daily Klenty figures over this window.
ENGAGEMENT_DAYS = 30
# in_cadence: of the prospects added in the window, those Klenty counts as in the cadence
# now (its "inCadenceCount", as of each day's latest pull); the reports sum it the same way.
ENGAGEMENT_METRICS = (
    "prospects_added",
    "in_cadence",
    "opens",
    "clicks",
    "replies",
    "bounces",
    "unsubscribes",
)


@dataclass
class CadenceSummary:
    cadence: Cadence
    prospects: int = 0
    last_activity: datetime | None = None
    engagement: dict[str, int] | None = None


def visible_cadences(user) -> QuerySet[Cadence]:
    """Everyone sees the company's cadences; a Rep only those they own or have prospects in."""
    cadences = Cadence.objects.all()
    if user.is_manager_or_admin:
        return cadences
    names = (
        Prospect.objects.visible_to(user).exclude(cadence_name="").values("cadence_name").distinct()
    )
    mine = Cadence.owner_filter(user.klenty_email) if user.klenty_email else Q(pk__in=[])
    return cadences.filter(mine | Q(name__in=names))


def prospect_counts(user) -> dict[str, dict[str, int]]:
    rows = (
        Prospect.objects.visible_to(user)
        .exclude(cadence_name="")
        .order_by()
        .values("cadence_name")
        .annotate(total=Count("pk"))
    )
    return {row["cadence_name"]: row for row in rows}


def last_activity(user) -> dict[str, datetime]:
    """When a webhook event last arrived for each cadence (events the viewer may see)."""
    rows = (
        Event.objects.visible_to(user)
        .exclude(cadence_name="")
        .order_by()
        .values("cadence_name")
        .annotate(last=Max("received_at"))
    )
    return {row["cadence_name"]: row["last"] for row in rows}


def engagement_figures() -> dict[str, dict[str, int]]:
    """Klenty's own engagement counts per cadence over the last ENGAGEMENT_DAYS days,
    summed from the reporting pulls' daily rows."""
    since = timezone.localdate() - timedelta(days=ENGAGEMENT_DAYS - 1)  # today included
    rows = (
        EngagementDay.objects.filter(day__gte=since)
        .order_by()
        .values("cadence_name")
        .annotate(**{metric: Sum(metric) for metric in ENGAGEMENT_METRICS})
    )
    return {row["cadence_name"]: row for row in rows}


def summaries(user) -> list[CadenceSummary]:
    """Every visible cadence with its figures, in four queries whatever the count."""
    counts = prospect_counts(user)
    activity = last_activity(user)
    engagement = engagement_figures()
    result = []
    for cadence in visible_cadences(user):
        row = counts.get(cadence.name, {})
        figures = engagement.get(cadence.name, {})
        result.append(
            CadenceSummary(
                cadence=cadence,
                prospects=row.get("total", 0),
                last_activity=activity.get(cadence.name),
                engagement={key: figures.get(key) or 0 for key in ENGAGEMENT_METRICS},
            )
        )
    return result


def status_counts(user, cadence: Cadence) -> list[dict]:
    return list(
        Prospect.objects.visible_to(user)
        .filter(cadence_name=cadence.name)
        .order_by("cadence_status")
        .values("cadence_status")
        .annotate(total=Count("pk"))
    )


def cadence_prospects(user, cadence: Cadence, limit: int = 100) -> list[Prospect]:
    return list(
        Prospect.objects.visible_to(user)
        .filter(cadence_name=cadence.name)
        .only(
            "pk",
            "email",
            "full_name",
            "first_name",
            "last_name",
            "owner_email",
            "prospect_status",
            "cadence_status",
        )
        .order_by("email")[:limit]
    )
