"""Refreshing the cadence cache: the company's cadences and who owns each.

Scheduled on the prospect sync's interval (klentyadmin/core/schedules.py) and run
from the cadences page's "Refresh now". It costs one call for the company list
and one per team member, so it is cheap enough to run inline from a view.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils import timezone

from cadences.models import Cadence, CadenceRefresh
from klentyadmin.core.connections import klenty_target
from klentyadmin.integrations.errors import ApiError, ApiNotFound
from klentyadmin.integrations.klenty import KlentyClient

log = logging.getLogger(__name__)


def refresh_cadences(actor=None) -> CadenceRefresh:
    """Replaces the cache with Klenty's current cadences; keeps the old cache on failure.

    A member whose own list cannot be read is reported, and the cadences keep
    the owners they had; a failure of the company list changes nothing.
    """
    run = CadenceRefresh.objects.create()
    client = KlentyClient.from_settings(actor=actor)
    try:
        company = client.get_company_cadences()
    except ApiNotFound:
        company = []
    except ApiError as exc:
        return finish(run, 0, str(exc))

    owners: dict[str, list[str]] = {}
    problems = []
    for member in klenty_target().team_emails:
        try:
            owned = client.as_user(member).get_user_cadences(member)
        except ApiNotFound:
            owned = []
        except ApiError as exc:
            problems.append(f"{member}: {exc}")
            continue
        for cadence in owned:
            owners.setdefault(cadence.id, []).append(member.lower())

    now = timezone.now()
    existing = {c.klenty_id: c for c in Cadence.objects.all()}
    with transaction.atomic():
        for item in company:
            if not item.id:
                continue
            cadence = existing.pop(item.id, None) or Cadence(klenty_id=item.id)
            cadence.name = item.name
            if item.id in owners or not problems:
                cadence.owners = sorted(set(owners.get(item.id, [])))
            cadence.refreshed_at = now
            cadence.save()
        # Cadences Klenty no longer lists were deleted there.
        Cadence.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
    return finish(run, len(company), "; ".join(problems))


def finish(run: CadenceRefresh, count: int, error: str) -> CadenceRefresh:
    run.finished_at = timezone.now()
    run.cadences = count
    run.error = error
    run.save()
    if error:
        log.warning("cadence refresh: %s", error)
    return run


def scheduled_refresh() -> str:
    """The django-q2 task; a second run at once only repeats the same idempotent upsert."""
    run = refresh_cadences()
    return run.error or f"{run.cadences} cadences"
