"""What is firing now, for a person: Home's "Needs attention" reads it."""

from __future__ import annotations

from alerts.models import REP_SCOPES, AlertFiring


def firing_for(user) -> list[AlertFiring]:
    """Open firings, newest first (at most 50), with their rules (one query).

    Managers and Admins see every one. A Rep sees only firings about themselves:
    a rep-scoped rule's firing whose subject is their own Klenty email; nothing of
    other reps, cadences or the team."""
    firings = AlertFiring.objects.open().select_related("rule").order_by("-started_at", "-id")
    if not getattr(user, "is_authenticated", False):
        return []
    if not user.is_manager_or_admin:
        if not user.klenty_email:
            return []
        firings = firings.filter(
            rule__scope__in=list(REP_SCOPES), subject_kind="rep", subject=user.klenty_email
        )
    return list(firings[:50])
