"""Home's "Needs attention" lines about the report pulls: one that has not finished
for three of its intervals, or never has, leaves the cockpit's numbers behind.
(A pull that failed is listed with the other failed work.)"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone

from klentyadmin.core import attention
from reporting.models import PullRun

STALE_INTERVALS = 3


def interval(kind: str) -> timedelta:
    minutes = {
        PullRun.Kind.ENGAGEMENT: settings.REPORTS_ENGAGEMENT_MINUTES,
        PullRun.Kind.STEPWISE: settings.REPORTS_STEPWISE_MINUTES,
        PullRun.Kind.CALLS: settings.REPORTS_CALLS_MINUTES,
    }[kind]
    return timedelta(minutes=minutes)


@attention.provider
def stale_pulls(user) -> list[attention.Item]:
    finished = dict(
        PullRun.objects.filter(status__in=[PullRun.Status.DONE, PullRun.Status.PARTIAL])
        .values("kind")
        .annotate(last=Max("finished_at"))
        .order_by()
        .values_list("kind", "last")
    )
    now = timezone.now()
    items = []
    for kind, label in PullRun.Kind.choices:
        last = finished.get(kind)
        if last is None:
            text = f"The {label.lower()} pull has not finished yet: its figures are missing."
        elif now - last > STALE_INTERVALS * interval(kind):
            text = f"The {label.lower()} pull last finished {naturaltime(last)}: its figures are behind."
        else:
            continue
        items.append(
            attention.Item(text, url=reverse("reporting:pulls"), when=last, source="stale")
        )
    return items
