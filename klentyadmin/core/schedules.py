"""Recurring background work, declared in code.

`ensure_schedules` runs after every `migrate`; it updates rows by name, so
running it twice leaves one row per schedule.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Recurring:
    name: str
    func: str
    minutes: int


SCHEDULES: list[Recurring] = [
    Recurring("worker heartbeat", "klentyadmin.core.tasks.heartbeat", 1),
    Recurring("prune API call log", "klentyadmin.core.tasks.prune_api_calls", 24 * 60),
    Recurring("prune one-time form keys", "klentyadmin.core.once.prune_keys", 24 * 60),
    # Re-queues the runs of every registered kind of background work whose worker died.
    Recurring("resume stalled background work", "klentyadmin.core.background.resume_stalled", 1),
    Recurring("sync prospects", "prospects.sync.scheduled_sync", settings.KLENTY_SYNC_MINUTES),
    Recurring(
        "reports: email engagement",
        "reporting.pulls.scheduled_engagement",
        settings.REPORTS_ENGAGEMENT_MINUTES,
    ),
    Recurring(
        "reports: step-wise engagement",
        "reporting.pulls.scheduled_stepwise",
        settings.REPORTS_STEPWISE_MINUTES,
    ),
    Recurring("reports: calls", "reporting.pulls.scheduled_calls", settings.REPORTS_CALLS_MINUTES),
    # Sends the report emails that are due; with catch_up off (Q_CLUSTER) a worker that
    # was down sends each due report once, not once per missed run.
    Recurring("reports: send emails", "reporting.emails.send_due", settings.REPORTS_EMAIL_MINUTES),
    Recurring("refresh cadences", "cadences.sync.scheduled_refresh", settings.KLENTY_SYNC_MINUTES),
    Recurring("look for duplicates", "dedupe.finding.scheduled_look", settings.KLENTY_SYNC_MINUTES),
    # Alerts are evaluated after every pull; this also catches a pull that stopped running.
    Recurring("alerts: evaluate", "alerts.tasks.evaluate_rules", 60),
]


# Schedules replaced by others: removed so they do not run beside their successor.
RETIRED = ["resume stalled bulk jobs"]


def ensure_schedules(**_kwargs) -> None:
    from django_q.models import Schedule

    Schedule.objects.filter(name__in=RETIRED).delete()
    for item in SCHEDULES:
        Schedule.objects.update_or_create(
            name=item.name,
            defaults={
                "func": item.func,
                "schedule_type": Schedule.MINUTES,
                "minutes": item.minutes,
                "repeats": -1,
            },
        )
