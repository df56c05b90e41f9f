"""Refreshing the cadence cache: the company's cadences and who owns each.

Scheduled on the prospect sync's interval (klentyadmin/core/schedules.py) and run
from the cadences page's "Refresh now". It costs one call for the company list
and one per team member, so both run it in their own process, through the
background runner (klentyadmin.core.background): a refresh is a run whose items
are the team members. If that process dies, the runner's resume schedule takes
the refresh over and reads only the members not read yet (a read is harmless to
repeat, so one in flight is read again).

The cache changes only at the end, in the transaction that ends the run: a refresh
that dies or fails leaves the cache as it was.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from cadences.models import Cadence, CadenceRefresh, CadenceRefreshMember
from klentyadmin.core import background
from klentyadmin.core.background.models import RunStatus
from klentyadmin.core.connections import klenty_target
from klentyadmin.integrations.errors import ApiError, ApiNotFound
from klentyadmin.integrations.klenty import KlentyClient

log = logging.getLogger(__name__)

KIND = "cadence_refresh"
State = CadenceRefreshMember.State
REPLACED = "Replaced by a newer refresh."


def start_refresh(actor=None) -> CadenceRefresh:
    """A new refresh with one item per team member; an older one still going is
    cancelled, so a refresh resumed late never overwrites a newer cache."""
    members = klenty_target().team_emails
    with transaction.atomic():
        background.get(KIND).active().update(
            status=RunStatus.CANCELLED,
            finished_at=timezone.now(),
            lease_until=None,
            error=REPLACED,
        )
        run = CadenceRefresh.objects.create(created_by=actor, total=len(members))
        CadenceRefreshMember.objects.bulk_create(
            [CadenceRefreshMember(refresh=run, email=member) for member in members]
        )
    return run


def refresh_cadences(actor=None) -> CadenceRefresh:
    """Replaces the cache with Klenty's current cadences, here and now; keeps the old
    cache on failure.

    A member whose own list cannot be read is reported, and the cadences keep
    the owners they had; a failure of the company list changes nothing.
    """
    run = start_refresh(actor)
    background.run(KIND, run.pk)
    run.refresh_from_db()
    if run.error:
        log.warning("cadence refresh: %s", run.error)
    return run


def scheduled_refresh() -> str:
    """The django-q2 task."""
    run = refresh_cadences()
    return run.error or f"{run.cadences} cadences"


@background.kind(KIND)
class CadenceRefreshes(background.Kind):
    label = "Cadence refresh"
    model = CadenceRefresh
    item_model = CadenceRefreshMember
    item_run_field = "refresh"
    outcomes = (
        background.Outcome("read", "Members read", Q(state=State.READ)),
        background.Outcome("failed", "Could not be read", Q(state=State.FAILED), problem=True),
    )

    def get(self, run_id: int) -> CadenceRefresh:
        return CadenceRefresh.objects.select_related("created_by").get(pk=run_id)

    def prepare(self, run: CadenceRefresh) -> KlentyClient:
        return KlentyClient.from_settings(actor=run.created_by)

    def step(self, run: CadenceRefresh, context: KlentyClient) -> bool:
        """The company's list first (once: it is kept on the run), then one member a step."""
        if run.company is not None:
            return super().step(run, context)
        try:
            company = context.get_company_cadences()
        except ApiNotFound:
            company = []
        except ApiError as exc:
            raise background.RunFailed(str(exc)) from exc
        run.company = [[c.id, c.name] for c in company if c.id]
        CadenceRefresh.objects.filter(pk=run.pk).update(company=run.company)
        return True

    def process_item(
        self, run: CadenceRefresh, context: KlentyClient, item: CadenceRefreshMember
    ) -> None:
        try:
            owned = context.as_user(item.email).get_user_cadences(item.email)
        except ApiNotFound:
            owned = []
        except ApiError as exc:
            self.mark(item, State.FAILED, f"{item.email}: {exc}")
            return
        self.mark(item, State.READ, cadence_ids=[c.id for c in owned])

    def finish(self, run: CadenceRefresh) -> None:
        """Writes the cache, in the transaction that ends the run."""
        owners: dict[str, list[str]] = {}
        problems = []
        for member in self.items(run).order_by("pk"):
            if member.state == State.FAILED:
                problems.append(member.message)
            for cadence_id in member.cadence_ids:
                owners.setdefault(cadence_id, []).append(member.email.lower())
        now = timezone.now()
        existing = {c.klenty_id: c for c in Cadence.objects.all()}
        for klenty_id, name in run.company:
            cadence = existing.pop(klenty_id, None) or Cadence(klenty_id=klenty_id)
            cadence.name = name
            if klenty_id in owners or not problems:
                cadence.owners = sorted(set(owners.get(klenty_id, [])))
            cadence.refreshed_at = now
            cadence.save()
        # Cadences Klenty no longer lists were deleted there.
        Cadence.objects.filter(pk__in=[c.pk for c in existing.values()]).delete()
        CadenceRefresh.objects.filter(pk=run.pk).update(
            cadences=len(run.company), error="; ".join(problems)
        )

    # -- in words ---------------------------------------------------------------

    def title(self, run: CadenceRefresh) -> str:
        who = f" asked for by {run.created_by}" if run.created_by else ""
        return f"The cadence refresh{who}"

    def failure_line(self, run: CadenceRefresh) -> str:
        """One line for people when the refresh failed or missed a member ("" otherwise)."""
        if not run.error or run.status == RunStatus.CANCELLED:
            return ""
        verb = "stopped" if run.status == RunStatus.FAILED else "missed some members"
        return f"{self.title(run)} {verb}: {run.error.rstrip('.')}."
