"""`{{ job.created_at|ago }}`: "just now", "3 minutes ago", "1 day, 2 hours ago".

Django's `timesince` says "0 minutes" for the first minute, so "started 0 minutes
ago" is what a job page said right after the start."""

from __future__ import annotations

from datetime import datetime, timedelta

from django import template
from django.utils import timezone
from django.utils.timesince import timesince

register = template.Library()

JUST_NOW = timedelta(minutes=1)


@register.filter
def ago(moment: datetime | None, now: datetime | None = None) -> str:
    if moment is None:
        return ""
    now = now or timezone.now()
    if now - moment < JUST_NOW:
        return "just now"
    return f"{timesince(moment, now)} ago"
