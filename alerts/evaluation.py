"""Evaluating every rule: open, remind about and resolve firings.

For each enabled rule and each subject it looks at, a reading says whether the
condition holds now. A subject with no open firing that fires opens one and is
notified; an open one still firing is reminded about once `remind_after_hours`
have passed since its last message (not while snoozed); an open one no longer
firing resolves, with a "resolved" message. Each transition and its messages are
written in one transaction, guarded by the one-open-firing constraint, so two
evaluations at once notify once. The messages are sent after the commit.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from alerts import actions, notify
from alerts.health import sync_health, webhook_silence
from alerts.metrics import Periods, Reading, read
from alerts.models import AlertFiring, AlertNotification, AlertRule, Metric

log = logging.getLogger(__name__)


@dataclass
class Evaluation:
    rules: int = 0
    opened: int = 0
    reminded: int = 0
    resolved: int = 0
    queries: int = 0
    seconds: float = 0.0
    notifications: list[int] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.rules} rules evaluated: {self.opened} fired, {self.reminded} reminded, "
            f"{self.resolved} resolved"
        )


def readings_for(rule: AlertRule, periods: Periods, now: datetime) -> list[Reading]:
    if rule.metric == Metric.WEBHOOK_SILENCE:
        return webhook_silence(rule, now)
    if rule.metric == Metric.SYNC_HEALTH:
        return sync_health(rule, now)
    return read(rule, periods, timezone.localdate(now))


def evaluate_all(now: datetime | None = None, *, deliver: bool = True) -> Evaluation:
    """Every enabled rule, once. Safe to run twice: a second run finds the firings
    the first opened and sends nothing new."""
    started = time.monotonic()
    now = now or timezone.now()
    result = Evaluation()
    periods = Periods()
    rules = list(AlertRule.objects.filter(enabled=True).select_related("saved_by"))
    open_firings: dict[tuple[int, str], AlertFiring] = {
        (f.rule_id, f.subject): f for f in AlertFiring.objects.open().filter(rule__in=rules)
    }
    for rule in rules:
        result.rules += 1
        seen = set()
        for reading in readings_for(rule, periods, now):
            seen.add(reading.subject)
            firing = open_firings.get((rule.pk, reading.subject))
            apply(rule, reading, firing, now, result)
        # A subject that no longer has figures at all (a cadence gone) has cleared.
        for (rule_id, subject), firing in open_firings.items():
            if rule_id == rule.pk and subject not in seen:
                apply(
                    rule,
                    Reading(firing.subject_kind, subject, None, None, False),
                    firing,
                    now,
                    result,
                )
    result.queries = periods.queries
    if deliver:
        notify.deliver(result.notifications)
    result.seconds = time.monotonic() - started
    log.info("alerts: %s", result)
    return result


def apply(
    rule: AlertRule,
    reading: Reading,
    firing: AlertFiring | None,
    now: datetime,
    result: Evaluation,
) -> None:
    if reading.firing and firing is None:
        open_firing(rule, reading, now, result)
    elif reading.firing and firing is not None:
        remind(rule, firing, reading, now, result)
    elif firing is not None:
        resolve(rule, firing, reading, now, result)


def open_firing(rule: AlertRule, reading: Reading, now: datetime, result: Evaluation) -> None:
    message = notify.describe(rule, reading)
    try:
        with transaction.atomic():
            firing = AlertFiring.objects.create(
                rule=rule,
                subject=reading.subject,
                subject_kind=reading.kind,
                started_at=now,
                value=reading.value,
                message=message[:500],
                last_notified_at=now,
            )
            result.notifications += notify.queue(firing, AlertNotification.Kind.FIRED, now)
    except IntegrityError:
        return  # another evaluation opened it a moment ago, and notified
    result.opened += 1
    if rule.act_automatically and firing.can_act:
        actions.act_automatically(firing)


def remind(
    rule: AlertRule, firing: AlertFiring, reading: Reading, now: datetime, result: Evaluation
) -> None:
    message = notify.describe(rule, reading)[:500]
    due = (
        rule.remind_after_hours
        and not firing.snoozed(now)
        and (firing.last_notified_at or firing.started_at)
        <= now - timedelta(hours=rule.remind_after_hours)
    )
    if not due and reading.value == firing.value and message == firing.message:
        return  # nothing to write: most open firings, most of the time
    with transaction.atomic():
        # The conditional update is the claim: of two evaluations, one reminds.
        last = firing.last_notified_at
        updates = {"value": reading.value, "message": message}
        if due:
            updates["last_notified_at"] = now
        claimed = AlertFiring.objects.filter(
            pk=firing.pk, resolved_at__isnull=True, last_notified_at=last
        ).update(**updates)
        if due and claimed:
            firing.value, firing.message = reading.value, message
            result.notifications += notify.queue(firing, AlertNotification.Kind.REMINDER, now)
            result.reminded += 1


def resolve(
    rule: AlertRule, firing: AlertFiring, reading: Reading, now: datetime, result: Evaluation
) -> None:
    with transaction.atomic():
        claimed = AlertFiring.objects.filter(pk=firing.pk, resolved_at__isnull=True).update(
            resolved_at=now, last_notified_at=now
        )
        if not claimed:
            return
        firing.resolved_at = now
        firing.value = reading.value
        result.notifications += notify.queue(
            firing, AlertNotification.Kind.RESOLVED, now, reading=reading
        )
        result.resolved += 1
