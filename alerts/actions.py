"""What a rule may propose: stop its cadence, or stop mails, for the cadence's active
prospects, through the bulk engine.

It runs when a Manager confirms it from the notification's link, or, only where the
rule says "act automatically", when the firing opens, as the Manager who saved the
rule. Either way once per firing (a conditional update claims it), audited, and
told on the rule's channels with a link to the job.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from alerts import notify
from alerts.models import Action, AlertFiring, AlertNotification
from klentyadmin.core.models import Service
from klentyadmin.core.recording import record_audit
from prospects import bulk
from prospects.models import BulkAction, BulkJob, Prospect

BULK_ACTION = {
    Action.STOP_CADENCE: BulkAction.STOP_CADENCE,
    Action.STOP_MAILS: BulkAction.STOP_MAILS,
}


class CannotAct(Exception):
    """The action cannot run (already taken, nothing to act on); says why."""


def active_prospects(firing: AlertFiring, user) -> QuerySet[Prospect]:
    """The cadence's prospects in it now, that `user` may act on."""
    return Prospect.objects.visible_to(user).filter(
        cadence_name=firing.subject, cadence_status=bulk.IN_CADENCE
    )


def run_action(firing: AlertFiring, user, *, automatic: bool = False) -> BulkJob:
    """Creates the bulk job of the firing's action, once. Raises CannotAct."""
    rule = firing.rule
    if not firing.can_act:
        raise CannotAct("This alert proposes no action, or has resolved.")
    if not getattr(user, "is_manager_or_admin", False):
        raise CannotAct("Only a Manager or an Admin may take an alert's action.")
    action = BULK_ACTION[rule.action]
    with transaction.atomic():
        claimed = AlertFiring.objects.filter(
            pk=firing.pk, action_job__isnull=True, action_by__isnull=True
        ).update(action_by=user)
        if not claimed:
            raise CannotAct("The action was already taken for this alert.")
        ids = list(active_prospects(firing, user).values_list("pk", flat=True))
        if not ids:
            raise CannotAct(f"No prospect is active in “{firing.subject}” now: nothing to stop.")
        how = "automatically" if automatic else f"confirmed by {user}"
        job = bulk.create_job(
            user=user,
            action=action,
            params={"cadence_name": firing.subject} if action == BulkAction.STOP_CADENCE else {},
            prospect_ids=ids,
            description=(
                f"{BulkAction(action).label} “{firing.subject}” for {len(ids)} active "
                f"prospect{'s' if len(ids) != 1 else ''}: alert “{rule.name}”, {how}"
            ),
        )
        AlertFiring.objects.filter(pk=firing.pk).update(action_job=job)
        firing.action_job, firing.action_by = job, user
        record_audit(
            actor=user,
            service=Service.KLENTY,
            action=f"alert action: {action}",
            target=firing.subject,
            details={
                "rule": rule.name,
                "firing": firing.pk,
                "job": job.pk,
                "prospects": len(ids),
                "automatic": automatic,
            },
            ok=True,
            result=f"Bulk job {job.pk} queued",
        )
        notify.deliver_on_commit(notify.queue(firing, AlertNotification.Kind.ACTED, timezone.now()))
    return job


def act_automatically(firing: AlertFiring) -> None:
    """For a rule that may act on its own: the action as the Manager who saved the
    rule. Nothing happens (the firing's messages still offer the link) without one."""
    user = firing.rule.saved_by
    if user is None or not user.is_manager_or_admin:
        return
    try:
        run_action(firing, user, automatic=True)
    except CannotAct:
        pass  # nothing active to stop, or a Manager was quicker: the history says which
