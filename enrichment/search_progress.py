"""A domain search's live progress: the request that runs the search writes its step,
requests made and credits spent into a `DomainSearchProgress` row (the database, so
a poll answered by another process sees it), and the page polls it by HTMX.

The search runs in its request, as before (about 10 seconds, results shown in
place); only its progress is shared. The row's key comes from the search form."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from enrichment.models import DomainSearchProgress
from enrichment.services import SEARCH_STEPS
from klentyadmin.core.once import KEY_PATTERN

KEPT = timedelta(days=1)

__all__ = ["SEARCH_STEPS", "SearchProgressRecorder", "search_progress_recorder"]


class SearchProgressRecorder:
    """Told `(step, requests made, credits spent)` by `services.search_domain`."""

    def __init__(self, user, key: str, domain: str) -> None:
        # A search's progress is of use only while its page is open: forget old ones.
        DomainSearchProgress.objects.filter(updated_at__lt=timezone.now() - KEPT).delete()
        self.rows = DomainSearchProgress.objects.filter(key=key, created_by=user)
        DomainSearchProgress.objects.update_or_create(
            key=key,
            created_by=user,
            defaults={
                "domain": domain,
                "step": SEARCH_STEPS[0],
                "steps_done": 0,
                "requests_made": 0,
                "credits_spent": 0,
                "finished": False,
            },
        )

    def __call__(self, step: str, requests: int, credits: int) -> None:
        done = SEARCH_STEPS.index(step) if step else len(SEARCH_STEPS)
        self.rows.update(step=step, steps_done=done, requests_made=requests, credits_spent=credits)

    def finish(self) -> None:
        self.rows.update(finished=True)


def search_progress_recorder(user, key: str, domain: str) -> SearchProgressRecorder | None:
    """A recorder for the form's progress key; None without a well-formed one (a
    search from a bookmark or a script still runs, unwatched)."""
    if not KEY_PATTERN.fullmatch(key):
        return None
    if DomainSearchProgress.objects.filter(key=key).exclude(created_by=user).exists():
        return None  # another user's key: never touch their row
    return SearchProgressRecorder(user, key, domain)
