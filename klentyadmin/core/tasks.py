"""Background tasks of the core app."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from klentyadmin.core.models import ApiCall

API_CALL_RETENTION = timedelta(days=30)


def heartbeat() -> str:
    """Runs every minute so the home page can tell whether a worker is alive."""
    return timezone.now().isoformat()


def prune_api_calls() -> int:
    """API call rows are for judging recent health; a month is plenty."""
    deleted, _ = ApiCall.objects.filter(created_at__lt=timezone.now() - API_CALL_RETENTION).delete()
    return deleted
