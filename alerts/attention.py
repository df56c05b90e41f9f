"""Alerts firing on Home's "Needs attention" (klentyadmin/core/attention.py): one line
per open firing the viewer may know of, linked to the history for those who may open it."""

from __future__ import annotations

from django.urls import reverse

from klentyadmin.core import attention


@attention.provider
def alerts_firing(user) -> list[attention.Item]:
    from alerts.firing import firing_for

    history = reverse("alerts:history") if user.is_manager_or_admin else None
    return [
        attention.Item(
            firing.message + (" (notifications snoozed)" if firing.snoozed() else ""),
            url=history,
            when=firing.started_at,
            # One that proposes an action waits for a Manager's click.
            level=attention.ERROR if firing.can_act else attention.WARNING,
            source="alert",
        )
        for firing in firing_for(user)
    ]
