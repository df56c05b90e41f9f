"""Home's "Needs attention": a list of providers, each answering the lines one user
should see (failed work, a stale sync or pull, alerts firing, ...).

An app adds its own by registering a provider when it is ready, e.g. in its AppConfig:

    from klentyadmin.core import attention

    @attention.provider
    def alerts_firing(user):
        return [attention.Item("Bounce rate over 5% for Priya", url=..., source="alert")]

A provider takes the viewer and answers a list of `Item`s, in a constant number of
queries (Home's query count is tested); it decides what that user may see. Home shows
every provider's items in registration order, errors first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from klentyadmin.accounts.models import User

ERROR, WARNING = "error", "warning"


@dataclass(frozen=True)
class Item:
    text: str
    url: str | None = None
    when: datetime | None = None
    level: str = WARNING
    # What kind of line it is (a data-testid on Home): "failure", "stale", "alert", ...
    source: str = "notice"
    # A second link, e.g. an Admin's "details" of a failed task.
    detail_url: str | None = None


Provider = Callable[["User"], list[Item]]
PROVIDERS: list[Provider] = []


def provider(fn: Provider) -> Provider:
    """Registers `fn` (once, however often its module is imported)."""
    key = (fn.__module__, fn.__qualname__)
    PROVIDERS[:] = [p for p in PROVIDERS if (p.__module__, p.__qualname__) != key]
    PROVIDERS.append(fn)
    return fn


def items_for(user: User) -> list[Item]:
    found = [item for fn in PROVIDERS for item in fn(user)]
    # Errors first; each provider's own order kept within a level.
    return sorted(found, key=lambda item: item.level != ERROR)


# -- the built-in providers ------------------------------------------------------------


@provider
def failed_work(user: User) -> list[Item]:
    """The failed runs and tasks Home always listed (klentyadmin/core/status.py)."""
    from django.urls import reverse

    from klentyadmin.core import status

    return [
        Item(
            failure.line,
            url=failure.url,
            when=failure.stopped,
            level=ERROR,
            source="failure",
            detail_url=(
                reverse("failure_detail", args=[failure.id])
                if failure.id and user.is_admin
                else None
            ),
        )
        for failure in status.recent_failures(user)
    ]


@provider
def worker_missing(user: User) -> list[Item]:
    """No heartbeat from the worker: nothing in the background runs (Admins can act)."""
    if not user.is_admin:
        return []
    from django.contrib.humanize.templatetags.humanize import naturaltime
    from django.urls import reverse

    from klentyadmin.core import status

    last = status.last_heartbeat()
    if last is not None and not status.worker_stale(last):
        return []
    seen = f"not seen since {naturaltime(last)}" if last else "not seen yet"
    return [
        Item(
            f"The background worker is {seen}: pulls, syncs and jobs wait for it.",
            url=reverse("system"),
            level=ERROR,
            source="worker",
        )
    ]
