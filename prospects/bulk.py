"""The bulk engine: one action over many prospects, in the background, exactly once.

A job's items move pending → sending → done | failed, worked by the background
framework's one runner (klentyadmin.core.background, kind "bulk_job"): claiming
an item is a conditional UPDATE that only one runner can win, and a runner holds
a lease on the job while it works. If a worker dies, its lease lapses; the next runner
finds the items it left "sending" and asks Klenty whether the action took
effect before sending anything again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from klentyadmin.core import background
from klentyadmin.integrations.errors import (
    ApiError,
    ApiNotFound,
    ApiRateLimited,
    ApiUnavailable,
)
from klentyadmin.integrations.klenty import KlentyClient, ProspectFields
from prospects.edits import recording_changes
from prospects.models import BulkAction, BulkJob, BulkJobItem, Prospect, ProspectList

log = logging.getLogger(__name__)

IN_CADENCE = "In Cadence"
# An item Klenty answers 429 for goes back in the queue this many times before it fails.
RATE_LIMITED_ATTEMPTS = 5


# -- what each action sends, how to tell it took effect, and what it changes here


@dataclass(frozen=True)
class ActionSpec:
    send: Callable[[KlentyClient, str, dict], None]
    # Asks Klenty whether the action already took effect (for items a dead worker
    # left "sending"); None where resending is harmless.
    took_effect: Callable[[KlentyClient, str, dict], bool] | None
    # Mirrors the documented effect in the cache so the page is right at once.
    apply_locally: Callable[[Prospect, dict], None]
    # What an item says when a retry finds the effect already there (and skips it).
    already_holds: str = ""
    undo: tuple[str, Callable[[dict], dict]] | None = None
    irreversible: bool = False
    # Actions Klenty takes in batches (Bulk Add: 100 a call) send a whole slice at
    # once and report per item: {item pk: (state, message)}.
    send_batch: (
        Callable[[KlentyClient, list[BulkJobItem], dict], dict[int, tuple[str, str]]] | None
    ) = None
    batch_size: int = 1


def _cadence_status(client: KlentyClient, email: str) -> str:
    return client.get_prospect_status(email).cadence_status


def _prospect_status(client: KlentyClient, email: str) -> str:
    return client.get_prospect_status(email).prospect_status


def _set_status(prospect_status: str, cadence_status: str, cadence_name: str | None = None):
    def apply(prospect: Prospect, params: dict) -> None:
        prospect.prospect_status = prospect_status
        prospect.cadence_status = cadence_status
        if cadence_name is not None:
            prospect.cadence_name = params.get(cadence_name, "")

    return apply


def _add_tags(prospect: Prospect, params: dict) -> None:
    prospect.tags = prospect.tags + [t for t in params["tags"] if t not in prospect.tags]


def _remove_tags(prospect: Prospect, params: dict) -> None:
    prospect.tags = [t for t in prospect.tags if t not in params["tags"]]


def _move_to_list(prospect: Prospect, params: dict) -> None:
    prospect.prospect_list, _ = ProspectList.objects.get_or_create(name=params["list_name"])


def _set_outcome(prospect: Prospect, params: dict) -> None:
    prospect.outcome = params["outcome"]


def _revert_dnc(prospect: Prospect, params: dict) -> None:
    # Klenty decides between "Not Contacted" and "Manually Stopped"; the status
    # refresh reads which. Until then the cache must not still say DNC.
    prospect.prospect_status = ""
    prospect.status_checked_at = None


ACTIONS: dict[str, ActionSpec] = {
    BulkAction.START_CADENCE: ActionSpec(
        send=lambda c, email, p: c.start_cadence(email, p["cadence_name"]),
        took_effect=lambda c, email, p: _cadence_status(c, email) == IN_CADENCE,
        apply_locally=_set_status(IN_CADENCE, IN_CADENCE, cadence_name="cadence_name"),
        already_holds="Klenty already shows this prospect In Cadence; nothing to start.",
        undo=(BulkAction.STOP_CADENCE, lambda p: {"cadence_name": p["cadence_name"]}),
    ),
    BulkAction.STOP_CADENCE: ActionSpec(
        send=lambda c, email, p: c.stop_cadence(email, p.get("cadence_name") or None),
        took_effect=lambda c, email, p: _cadence_status(c, email) != IN_CADENCE,
        apply_locally=_set_status("Manually Stopped", "Stopped"),
        already_holds="Klenty already shows this prospect out of the cadence; nothing to stop.",
    ),
    BulkAction.RESUME_CADENCE: ActionSpec(
        send=lambda c, email, p: c.resume_cadence(email),
        took_effect=lambda c, email, p: _cadence_status(c, email) == IN_CADENCE,
        apply_locally=_set_status(IN_CADENCE, IN_CADENCE),
        already_holds="Klenty already shows this prospect In Cadence; nothing to resume.",
    ),
    BulkAction.STOP_MAILS: ActionSpec(
        send=lambda c, email, p: c.stop_mails(email),
        took_effect=lambda c, email, p: _cadence_status(c, email) == "Paused",
        apply_locally=_set_status("Paused", "Paused"),
        already_holds="Klenty already shows this prospect Paused; nothing to stop.",
        undo=(BulkAction.RESUME_CADENCE, lambda p: {}),
    ),
    BulkAction.ADD_TAGS: ActionSpec(
        # Klenty's create call ignores tags for a prospect that exists; Update adds them.
        send=lambda c, email, p: c.update_prospect(email, ProspectFields(tags=p["tags"])),
        took_effect=lambda c, email, p: set(p["tags"]) <= set(c.get_prospect(email).tags),
        apply_locally=_add_tags,
        already_holds="Klenty already shows these tags on this prospect; nothing to add.",
        undo=(BulkAction.REMOVE_TAGS, lambda p: {"tags": p["tags"]}),
    ),
    BulkAction.REMOVE_TAGS: ActionSpec(
        send=lambda c, email, p: c.remove_tags(email, p["tags"]),
        took_effect=lambda c, email, p: not set(p["tags"]) & set(c.get_prospect(email).tags),
        apply_locally=_remove_tags,
        already_holds="Klenty already shows none of these tags on this prospect; nothing to remove.",
    ),
    BulkAction.ADD_TO_LIST: ActionSpec(
        send=lambda c, email, p: c.update_prospect(email, ProspectFields(list_name=p["list_name"])),
        took_effect=lambda c, email, p: c.get_prospect(email).list_name == p["list_name"],
        apply_locally=_move_to_list,
        already_holds="Klenty already shows this prospect in this list; nothing to move.",
    ),
    BulkAction.MARK_DNC: ActionSpec(
        send=lambda c, email, p: c.mark_do_not_contact(email),
        took_effect=lambda c, email, p: _prospect_status(c, email) == "Do Not Contact",
        apply_locally=_set_status("Do Not Contact", "Stopped"),
        already_holds="Klenty already shows this prospect as Do Not Contact; nothing to mark.",
        undo=(BulkAction.REVERT_DNC, lambda p: {}),
    ),
    BulkAction.REVERT_DNC: ActionSpec(
        send=lambda c, email, p: c.revert_do_not_contact(email),
        took_effect=lambda c, email, p: _prospect_status(c, email) != "Do Not Contact",
        apply_locally=_revert_dnc,
        already_holds="Klenty no longer shows this prospect as Do Not Contact; nothing to revert.",
    ),
    BulkAction.UNSUBSCRIBE: ActionSpec(
        send=lambda c, email, p: c.unsubscribe(email),
        took_effect=lambda c, email, p: _prospect_status(c, email) == "Unsubscribed",
        apply_locally=_set_status("Unsubscribed", "Stopped"),
        already_holds="Klenty already shows this prospect Unsubscribed; nothing to send.",
        irreversible=True,
    ),
    BulkAction.SET_OUTCOME: ActionSpec(
        # Setting the same outcome twice is harmless, so a lost item is simply resent.
        send=lambda c, email, p: c.update_prospect(email, ProspectFields(outcome=p["outcome"])),
        took_effect=None,
        apply_locally=_set_outcome,
    ),
}


BULK_ADD_LIMIT = 100  # Klenty's documented maximum per Bulk Add call
ADDED = "prospect added successfully"


def _bulk_add(
    client: KlentyClient, items: list[BulkJobItem], params: dict
) -> dict[int, tuple[str, str]]:
    by_email = {item.email.lower(): item for item in items}
    results = client.bulk_add_prospects([ProspectFields(**item.payload) for item in items])
    outcome: dict[int, tuple[str, str]] = {}
    for result in results:
        item = by_email.get(result.email.lower())
        if item is None:
            continue
        if result.status.lower() == ADDED:
            outcome[item.pk] = (BulkJobItem.State.DONE, "added")
            cache_imported(item.payload)
        elif "already exists" in result.status.lower():
            outcome[item.pk] = (BulkJobItem.State.SKIPPED, "already exists")
        else:
            outcome[item.pk] = (BulkJobItem.State.FAILED, result.status)
    for item in items:
        outcome.setdefault(
            item.pk, (BulkJobItem.State.FAILED, "Klenty did not report on this row.")
        )
    return outcome


def cache_imported(payload: dict) -> None:
    """An added prospect shows in search at once; the next sync fills in Klenty's id."""
    fields = {k: v for k, v in payload.items() if k not in {"email", "list_name"}}
    fields["owner_email"] = fields.pop("owner", "")
    if payload.get("list_name"):
        fields["prospect_list"], _ = ProspectList.objects.get_or_create(name=payload["list_name"])
    fields["prospect_status"] = "Not Contacted"
    prospect, created = Prospect.objects.get_or_create(
        email=payload["email"].lower(), defaults=fields
    )
    if created:
        BulkJobItem.objects.filter(email=prospect.email, prospect__isnull=True).update(
            prospect=prospect
        )


def _exists_in_klenty(client: KlentyClient, email: str, params: dict) -> bool:
    try:
        client.get_prospect(email)
    except ApiNotFound:
        return False
    return True


ACTIONS[BulkAction.IMPORT] = ActionSpec(
    send=lambda c, email, p: None,
    took_effect=_exists_in_klenty,
    apply_locally=lambda prospect, params: None,
    already_holds="Klenty already has this prospect; nothing to add.",
    send_batch=_bulk_add,
    batch_size=BULK_ADD_LIMIT,
)


# -- creating jobs ----------------------------------------------------------


def create_job(
    *,
    user,
    action: str,
    params: dict,
    prospects: Iterable[Prospect] | None = None,
    prospect_ids: Iterable[int] | None = None,
    description: str = "",
    undo_of: BulkJob | None = None,
) -> BulkJob:
    """Freezes the selection into items and queues the job once the rows are committed.

    The selection is always re-filtered through `visible_to(user)`: a Rep cannot
    queue work on a prospect they do not own, whatever ids the browser sent.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown bulk action {action!r}")
    if prospect_ids is None:
        prospect_ids = [p.pk for p in prospects or []]
    rows = (
        Prospect.objects.visible_to(user)
        .filter(pk__in=list(prospect_ids))
        .values_list("pk", "email")
    )
    with transaction.atomic():
        job = BulkJob.objects.create(
            action=action,
            params=params,
            description=description,
            created_by=user,
            undo_of=undo_of,
        )
        items = [BulkJobItem(job=job, prospect_id=pk, email=email) for pk, email in rows.iterator()]
        BulkJobItem.objects.bulk_create(items, batch_size=1000)
        job.total = len(items)
        job.save(update_fields=["total"])
        transaction.on_commit(lambda: queue_job(job.pk))
    return job


def create_import_job(*, user, rows: list[dict], description: str) -> BulkJob:
    """Queues a Bulk Add of validated rows (ProspectFields keyword dicts)."""
    with transaction.atomic():
        job = BulkJob.objects.create(
            action=BulkAction.IMPORT, params={}, description=description, created_by=user
        )
        BulkJobItem.objects.bulk_create(
            [BulkJobItem(job=job, email=row["email"].lower(), payload=row) for row in rows],
            batch_size=1000,
        )
        job.total = len(rows)
        job.save(update_fields=["total"])
        transaction.on_commit(lambda: queue_job(job.pk))
    return job


def queue_job(job_id: int) -> None:
    background.queue("bulk_job", job_id)


def cancel_job(job: BulkJob) -> None:
    BulkJob.objects.filter(
        pk=job.pk, status__in=[BulkJob.Status.QUEUED, BulkJob.Status.RUNNING]
    ).update(status=BulkJob.Status.CANCELLED, finished_at=timezone.now())
    job.items.filter(state=BulkJobItem.State.PENDING).update(
        state=BulkJobItem.State.CANCELLED, finished_at=timezone.now()
    )
    job.refresh_from_db()


def retry_failed(job: BulkJob) -> int:
    """Puts the failed items back in the queue; the others are not touched."""
    with transaction.atomic():
        count = job.items.filter(state=BulkJobItem.State.FAILED).update(
            state=BulkJobItem.State.PENDING, message="", finished_at=None
        )
        if count:
            BulkJob.objects.filter(pk=job.pk).update(status=BulkJob.Status.QUEUED, finished_at=None)
            transaction.on_commit(lambda: queue_job(job.pk))
    job.refresh_from_db()
    return count


def undo_job(job: BulkJob, user) -> BulkJob:
    spec = ACTIONS[job.action]
    if spec.undo is None or not job.finished:
        raise ValueError("This job cannot be undone.")
    undo_action, undo_params = spec.undo
    done = job.items.filter(state=BulkJobItem.State.DONE, prospect__isnull=False)
    return create_job(
        user=user,
        action=undo_action,
        params=undo_params(job.params),
        prospect_ids=done.values_list("prospect_id", flat=True),
        description=f"Undo of job {job.pk}: {job.description}",
        undo_of=job,
    )


# -- running jobs -------------------------------------------------------------


def process_item(job: BulkJob, spec: ActionSpec, client: KlentyClient, item: BulkJobItem) -> None:
    prospect = item.prospect
    refusal = refusal_for(job, prospect)
    if refusal:
        mark(item, BulkJobItem.State.FAILED, refusal)
        return
    # Only an item whose earlier answer was lost is checked first: the change may have
    # been made. One Klenty refused is simply sent again.
    checking = item.outcome_unknown
    try:
        if checking and already_applied(spec, client, item.email, job.params):
            mark(item, BulkJobItem.State.SKIPPED, spec.already_holds, outcome_unknown=False)
        else:
            checking = False
            with recording_changes(prospect, via=edited_by(job)):
                spec.send(client, item.email, job.params)
                mark(item, BulkJobItem.State.DONE, "", outcome_unknown=False)
                spec.apply_locally(prospect, job.params)
                prospect.save()
            return
    except ApiRateLimited as exc:
        if item.attempts + 1 < RATE_LIMITED_ATTEMPTS:
            # Not applied (a 429 is refused unread), and the shared limiter now holds
            # every request back for the Retry-After: the item simply waits its turn.
            requeue(item, str(exc))
        else:
            mark(item, BulkJobItem.State.FAILED, str(exc))
        return
    except ApiError as exc:
        # A timeout, a dropped connection or a 5xx leaves the outcome unknown, and so
        # does a check that could not be made; a refusal is a definite answer.
        unknown = checking or isinstance(exc, ApiUnavailable)
        mark(item, BulkJobItem.State.FAILED, str(exc), outcome_unknown=unknown)
        return
    spec.apply_locally(prospect, job.params)
    prospect.save()


def edited_by(job: BulkJob) -> dict:
    """What an edit's audit entry says of the bulk job that made it."""
    return {"job": job.pk, "action": job.get_action_display()}


def already_applied(spec: ActionSpec, client: KlentyClient, email: str, params: dict) -> bool:
    """For an item whose earlier outcome is unknown: does Klenty already show the effect?"""
    if spec.took_effect is None:
        return False
    try:
        return spec.took_effect(client, email, params)
    except ApiNotFound:
        return False


def requeue(item: BulkJobItem, message: str) -> None:
    BulkJobItem.objects.filter(pk=item.pk, state=BulkJobItem.State.SENDING).update(
        state=BulkJobItem.State.PENDING, message=message[:2000]
    )


def process_batch(job: BulkJob, spec: ActionSpec, client: KlentyClient) -> bool:
    """Sends the next slice of pending items in one call; False when none are left."""
    ids = list(
        job.items.filter(state=BulkJobItem.State.PENDING)
        .order_by("pk")
        .values_list("pk", flat=True)[: spec.batch_size]
    )
    if not ids:
        return False
    # The lease makes this runner the only one; the state guard keeps the claim honest.
    BulkJobItem.objects.filter(pk__in=ids, state=BulkJobItem.State.PENDING).update(
        state=BulkJobItem.State.SENDING, attempts=F("attempts") + 1, started_at=timezone.now()
    )
    items = list(job.items.filter(pk__in=ids, state=BulkJobItem.State.SENDING))
    try:
        outcome = spec.send_batch(client, items, job.params)
    except ApiError as exc:
        outcome = {item.pk: (BulkJobItem.State.FAILED, str(exc)) for item in items}
    for item in items:
        state, message = outcome[item.pk]
        mark(item, state, message)
    return True


def refusal_for(job: BulkJob, prospect: Prospect | None) -> str:
    """Checked again as each item runs: ownership may have changed since the job was made."""
    if prospect is None:
        return "The prospect is no longer in the dashboard's cache."
    if not Prospect.objects.visible_to(job.created_by).filter(pk=prospect.pk).exists():
        return "Not your prospect: a Rep may act only on prospects they own."
    return ""


def mark(
    item: BulkJobItem, state: str, message: str, *, outcome_unknown: bool | None = None
) -> None:
    """Ends an item's attempt; `outcome_unknown` is recorded when the attempt tells."""
    known = {} if outcome_unknown is None else {"outcome_unknown": outcome_unknown}
    BulkJobItem.objects.filter(pk=item.pk).update(
        state=state, message=message[:2000], finished_at=timezone.now(), **known
    )


def recover_in_flight(job: BulkJob, spec: ActionSpec, client: KlentyClient) -> None:
    """Items a dead runner left "sending": done if Klenty shows the effect, else resent."""
    for item in job.items.filter(state=BulkJobItem.State.SENDING).select_related("prospect"):
        if spec.took_effect is None:
            applied = False
        else:
            try:
                applied = spec.took_effect(client, item.email, job.params)
            except ApiNotFound:
                applied = False
            except ApiError as exc:
                # Still unknown: "Retry failed" checks again before sending.
                message = f"Could not check whether it was applied: {exc}"
                mark(item, BulkJobItem.State.FAILED, message, outcome_unknown=True)
                continue
        if applied:
            mark(item, BulkJobItem.State.DONE, "Confirmed with Klenty after a worker restart.")
            if item.prospect:
                spec.apply_locally(item.prospect, job.params)
                item.prospect.save()
        else:
            BulkJobItem.objects.filter(pk=item.pk, state=BulkJobItem.State.SENDING).update(
                state=BulkJobItem.State.PENDING
            )


# -- progress -----------------------------------------------------------------


def progress(job: BulkJob) -> background.Progress:
    """Counts by state and the recent rate, in one aggregate query."""
    return background.get("bulk_job").progress(job)


# -- the kind of background work ---------------------------------------------


@background.kind("bulk_job")
class BulkJobs(background.Kind):
    """Items a dead runner left "sending" are checked with Klenty before anything is
    sent again (`recover_in_flight`); Bulk Add sends a whole batch per step."""

    label = "Bulk job"
    page = "prospects:job"
    # A job has no "failed" status: a crash (a locked database, say) is retried by
    # resume_stalled once the lease lapses, item by item as ever.
    fail_on_error = False
    model = BulkJob
    item_model = BulkJobItem
    item_run_field = "job"
    outcomes = (
        background.Outcome("done", "Done", Q(state=BulkJobItem.State.DONE)),
        background.Outcome("failed", "Failed", Q(state=BulkJobItem.State.FAILED), problem=True),
        background.Outcome(
            "cancelled",
            "Cancelled or skipped",
            Q(state__in=[BulkJobItem.State.CANCELLED, BulkJobItem.State.SKIPPED]),
        ),
    )

    def get(self, run_id: int) -> BulkJob:
        return BulkJob.objects.select_related("created_by").get(pk=run_id)

    def prepare(self, run: BulkJob) -> KlentyClient:
        return KlentyClient.from_settings(actor=run.created_by)

    def recover(self, run: BulkJob, context: KlentyClient) -> None:
        recover_in_flight(run, ACTIONS[run.action], context)

    def step(self, run: BulkJob, context: KlentyClient) -> bool:
        spec = ACTIONS[run.action]
        if spec.send_batch is not None:
            return process_batch(run, spec, context)
        return super().step(run, context)

    def process_item(self, run: BulkJob, context: KlentyClient, item: BulkJobItem) -> None:
        process_item(run, ACTIONS[run.action], context, item)

    def progress(self, run: BulkJob) -> background.Progress:
        # The rate counts the items sent, not those cancelled or skipped unsent.
        return background.summarise(
            self.items(run),
            self.outcomes,
            total=run.total,
            finished=run.finished,
            started_at=run.started_at,
            measured=Q(state__in=[BulkJobItem.State.DONE, BulkJobItem.State.FAILED]),
        )
