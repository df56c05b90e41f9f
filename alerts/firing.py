"""What is firing, for a person: Home's "Needs attention" and the report emails read it."""

from __future__ import annotations

from datetime import datetime

from alerts.models import REP_SCOPES, AlertFiring

# The most firings one list shows.
LIMIT = 50


def visible_to(user, firings):
    """`firings` cut to what `user` may see.

    Managers and Admins see every one. A Rep sees only firings about themselves:
    a rep-scoped rule's firing whose subject is their own Klenty email; nothing of
    other reps, cadences or the team."""
    if not getattr(user, "is_authenticated", False):
        return firings.none()
    if user.is_manager_or_admin:
        return firings
    if not user.klenty_email:
        return firings.none()
    return firings.filter(
        rule__scope__in=list(REP_SCOPES), subject_kind="rep", subject=user.klenty_email
    )


def firing_for(user) -> list[AlertFiring]:
    """Open firings, newest first (at most 50), with their rules (one query)."""
    firings = AlertFiring.objects.open().select_related("rule").order_by("-started_at", "-id")
    return list(visible_to(user, firings)[:LIMIT])


def firings_during(user, start: datetime, end: datetime) -> list[AlertFiring]:
    """Firings that were open at some moment in [start, end): started before its end
    and not resolved before its start. Newest first, at most 50, one query."""
    firings = (
        AlertFiring.objects.filter(started_at__lt=end)
        .exclude(resolved_at__lt=start)
        .select_related("rule")
        .order_by("-started_at", "-id")
    )
    return list(visible_to(user, firings)[:LIMIT])
