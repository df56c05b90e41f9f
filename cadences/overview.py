"""What the cadence pages show, each figure aggregated in SQL and scoped to the viewer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Max, Q, QuerySet

from cadences.models import Cadence, Event
from prospects.models import Prospect

# Engagement counted from webhook events until the reporting snapshots exist.
ENGAGEMENT_EVENTS = {
    "sent": "sendProspect",
    "opens": "open",
    "clicks": "click",
    "replies": "reply",
    "bounces": "onMailBounce",
    "unsubscribes": "unsubscribe",
}


@dataclass
class CadenceSummary:
    cadence: Cadence
    prospects: int = 0
    in_cadence: int = 0
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
        .annotate(total=Count("pk"), in_cadence=Count("pk", filter=Q(cadence_status="In Cadence")))
    )
    return {row["cadence_name"]: row for row in rows}


def event_figures(user) -> dict[str, dict]:
    aggregates = {
        key: Count("pk", filter=Q(event_type=event)) for key, event in ENGAGEMENT_EVENTS.items()
    }
    rows = (
        Event.objects.visible_to(user)
        .exclude(cadence_name="")
        .order_by()
        .values("cadence_name")
        .annotate(last=Max("received_at"), **aggregates)
    )
    return {row["cadence_name"]: row for row in rows}


def summaries(user) -> list[CadenceSummary]:
    """Every visible cadence with its figures, in three queries whatever the count."""
    counts = prospect_counts(user)
    events = event_figures(user)
    result = []
    for cadence in visible_cadences(user):
        row = counts.get(cadence.name, {})
        figures = events.get(cadence.name, {})
        result.append(
            CadenceSummary(
                cadence=cadence,
                prospects=row.get("total", 0),
                in_cadence=row.get("in_cadence", 0),
                last_activity=figures.get("last"),
                engagement={key: figures.get(key, 0) for key in ENGAGEMENT_EVENTS},
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
