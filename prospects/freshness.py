"""Home's "Needs attention" line about the prospect sync: none finished for three of
its intervals (or ever). (A sync that failed is listed with the other failed work.)"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.urls import reverse
from django.utils import timezone

from klentyadmin.core import attention
from prospects import sync

STALE_INTERVALS = 3


@attention.provider
def stale_sync(user) -> list[attention.Item]:
    last = sync.last_successful()
    url = reverse("prospects:sync_status")
    if last is None:
        text = "No prospect sync has finished yet: searches answer from an empty cache."
    elif timezone.now() - last.started_at > STALE_INTERVALS * timedelta(
        minutes=settings.KLENTY_SYNC_MINUTES
    ):
        text = f"The last prospect sync that finished started {naturaltime(last.started_at)}."
    else:
        return []
    when = last.started_at if last else None
    return [attention.Item(text, url=url, when=when, source="stale")]
