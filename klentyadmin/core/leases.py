"""Leases on background work: one runner at a time, and a dead runner's work resumed.

A model that a worker runs has a `lease_until` column. A runner claims the row with
a conditional UPDATE that only succeeds where nobody holds a live lease, so of two
runners started at once exactly one wins. It renews the lease as it goes and
releases it at the end; a lease that lapsed means its runner died, and the next
runner may take the work over.

Each function takes the queryset to act on, already filtered as its caller needs
(for instance on status), and the row's pk; `**also_set` are further columns
written in the same UPDATE, so they change together with the lease or not at all.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone


def lease_seconds(requests_per_item: int = 1) -> int:
    """Longer than the slowest possible single item (every retry of its requests timing out)."""
    per_attempt = (
        settings.API_CONNECT_TIMEOUT + settings.API_READ_TIMEOUT + settings.API_BACKOFF_CAP
    )
    return int(requests_per_item * settings.API_MAX_ATTEMPTS * per_attempt) + 30


def free(now: datetime | None = None) -> Q:
    """Rows whose lease nobody holds: never claimed, released, or lapsed (its runner died)."""
    return Q(lease_until__isnull=True) | Q(lease_until__lt=now or timezone.now())


def claim(
    queryset: QuerySet, pk: int, seconds: float, *, now: datetime | None = None, **also_set: Any
) -> datetime | None:
    """Takes the lease if nobody holds a live one: the new lease, or None if another
    runner holds it (or the row is not in `queryset`)."""
    now = now or timezone.now()
    lease = now + timedelta(seconds=seconds)
    claimed = queryset.filter(pk=pk).filter(free(now)).update(lease_until=lease, **also_set)
    return lease if claimed else None


def renew(
    queryset: QuerySet,
    pk: int,
    seconds: float,
    *,
    held: datetime | None = None,
    **also_set: Any,
) -> datetime | None:
    """Extends the lease: the new lease, or None if the row is no longer in `queryset`
    or, given the lease this runner `held`, another runner has taken over since."""
    lease = timezone.now() + timedelta(seconds=seconds)
    rows = queryset.filter(pk=pk)
    if held is not None:
        rows = rows.filter(lease_until=held)
    return lease if rows.update(lease_until=lease, **also_set) else None


def release(queryset: QuerySet, pk: int, *, held: datetime | None = None, **also_set: Any) -> bool:
    """Gives the lease up, finished or handing over to a continuation task that
    claims it afresh; False if, given the lease this runner `held`, it was no longer ours."""
    rows = queryset.filter(pk=pk)
    if held is not None:
        rows = rows.filter(lease_until=held)
    return bool(rows.update(lease_until=None, **also_set))
