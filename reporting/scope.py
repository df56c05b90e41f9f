"""What part of the team's numbers a user's reports show: one rule for the page, its
fragments, its CSV downloads and the report emails.

Managers and Admins see the team. A Rep sees the email engagement of the cadences they
own (Klenty reports engagement per cadence, and a cadence's owners come from the
cadence refresh) and their own calls.
"""

from __future__ import annotations

from datetime import date

from django.http import QueryDict

from cadences.models import Cadence
from klentyadmin.integrations.klenty.target import klenty_target
from reporting.forms import ReportFilters
from reporting.models import EngagementDay


def cadence_owner(user) -> str | None:
    return None if user.is_manager_or_admin else user.klenty_email


def owned(queryset, owner: str | None):
    """`queryset` (rows with a `cadence_name`) cut to the cadences `owner` owns."""
    if owner is None:
        return queryset
    if not owner:
        return queryset.none()
    return queryset.filter(
        cadence_name__in=Cadence.objects.filter(Cadence.owner_filter(owner)).values("name")
    )


def cadence_owners() -> dict[str, set[str]]:
    """Each cached cadence's owners, lower-cased (one query): who its engagement counts
    for when figures are split per rep (the scorecards, the alerts' per-rep rules)."""
    found: dict[str, set[str]] = {}
    for name, owners in Cadence.objects.values_list("name", "owners"):
        # Two cadences may share a name (Klenty keys them by id): both owners count.
        found.setdefault(name, set()).update(str(owner).lower() for owner in owners or ())
    return found


def cadence_names(user) -> list[str]:
    names = EngagementDay.objects.order_by("cadence_name").values_list("cadence_name", flat=True)
    return list(owned(names, cadence_owner(user)).distinct())


def report_filters(
    user, params: QueryDict, *, cadences: list[str] | None = None, today: date | None = None
) -> ReportFilters:
    return ReportFilters.from_params(
        params,
        cadences=cadence_names(user) if cadences is None else cadences,
        reps=klenty_target().team_emails if user.is_manager_or_admin else (),
        today=today,
        cadence_owner=cadence_owner(user),
    )
