"""What an alert says, and sending it by email and to a Slack-compatible webhook.

A transition (fired, reminder, resolved, action taken) queues one notification per
channel the rule has, in the transaction that made it; `deliver` sends them after
the commit. A webhook that fails (5xx, 429, no answer) is tried again with a
doubling backoff, ALERTS_SLACK_ATTEMPTS times in all, then the notification is
marked failed with the reason, which the history shows. Sending never raises.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from datetime import datetime

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from alerts.metrics import Reading
from alerts.models import HOURS_METRICS, AlertFiring, AlertNotification, AlertRule, Metric, fmt
from klentyadmin.core.failures import reason_for
from klentyadmin.integrations.errors import ApiError, ApiRateLimited, ApiUnavailable
from klentyadmin.integrations.slack import SlackWebhook

log = logging.getLogger(__name__)
Kind = AlertNotification.Kind
Status = AlertNotification.Status


def site_url(path: str) -> str:
    return f"{settings.REPORTS_SITE_URL}{path}"


def subject_phrase(kind: str, subject: str) -> str:
    if kind == "cadence":
        return f"the cadence “{subject}”"
    if kind == "rep":
        return subject
    if kind == "sync":
        return f"the {subject}"
    return "the team"


def describe(rule: AlertRule, reading: Reading) -> str:
    """One sentence: what was measured, for whom, against what."""
    who = subject_phrase(reading.kind, reading.subject)
    if rule.metric == Metric.WEBHOOK_SILENCE:
        if reading.value is None:
            return f"{rule.name}: no webhook event has arrived yet while cadences run."
        return f"{rule.name}: no webhook event for {fmt(reading.value)} hours while cadences run."
    if rule.metric == Metric.SYNC_HEALTH:
        since = "never" if reading.value is None else f"{fmt(reading.value)} hours ago"
        return f"{rule.name}: {who} failed or is stale (last success: {since})."
    unit = "%" if rule.is_rate else ""
    shown = "no data" if reading.value is None else f"{fmt(reading.value)}{unit}"
    days = f"{rule.window_days} day{'s' if rule.window_days != 1 else ''}"
    text = f"{rule.name}: {rule.get_metric_display().lower()} for {who} is {shown} over the last {days}"
    if reading.compared_to is not None:
        text += f", against {fmt(reading.compared_to)}{unit} before"
    threshold = f"{fmt(rule.threshold)}{rule.unit}"
    return f"{text} (the rule: {rule.get_condition_display().lower()}, {threshold})."


def text_for(firing: AlertFiring, kind: str, reading: Reading | None = None) -> str:
    rule = firing.rule
    lines: list[str]
    if kind == Kind.FIRED:
        lines = [f"Alert: {firing.message}"]
    elif kind == Kind.REMINDER:
        lines = [f"Still firing since {firing.started_at:%Y-%m-%d %H:%M} UTC: {firing.message}"]
    elif kind == Kind.RESOLVED:
        now = describe(rule, reading) if reading is not None and reading.value is not None else ""
        lines = [
            f"Resolved: {rule.name} for {subject_phrase(firing.subject_kind, firing.subject)}."
        ]
        if now and rule.metric not in HOURS_METRICS:
            lines.append(f"Now: {now}")
    else:
        job = firing.action_job
        lines = [
            f"Action taken for “{rule.name}”: {job.description if job else rule.get_action_display()}."
        ]
        if job is not None:
            lines.append(f"The job: {site_url(reverse('prospects:job', args=[job.pk]))}")
    if kind in (Kind.FIRED, Kind.REMINDER) and firing.can_act and firing.action_job_id is None:
        lines.append(
            f"{rule.get_action_display()}: confirm at "
            f"{site_url(reverse('alerts:act', args=[firing.pk]))}"
        )
    lines.append(f"History: {site_url(reverse('alerts:history'))}")
    return "\n".join(lines)


def queue(
    firing: AlertFiring, kind: str, now: datetime, *, reading: Reading | None = None
) -> list[int]:
    """One pending notification per channel of the firing's rule; their ids."""
    rule = firing.rule
    text = text_for(firing, kind, reading)
    channels = []
    if rule.recipients:
        channels.append(AlertNotification.Channel.EMAIL)
    if rule.slack_url_encrypted:
        channels.append(AlertNotification.Channel.SLACK)
    made = AlertNotification.objects.bulk_create(
        AlertNotification(firing=firing, kind=kind, channel=c, text=text, created_at=now)
        for c in channels
    )
    return [n.pk for n in made]


# -- sending ----------------------------------------------------------------------


def deliver(ids: Iterable[int]) -> None:
    """Sends the given notifications, each once: a pending one is claimed with a
    conditional update, so a second delivery of the same ids sends nothing."""
    for pk in list(ids):
        claimed = AlertNotification.objects.filter(pk=pk, status=Status.PENDING).update(
            status=Status.SENDING
        )
        if claimed:
            send_one(AlertNotification.objects.select_related("firing__rule").get(pk=pk))


def deliver_on_commit(ids: Iterable[int]) -> None:
    """The same, once the transaction that queued them commits."""
    ids = list(ids)
    if ids:
        transaction.on_commit(lambda: deliver(ids))


def send_one(note: AlertNotification) -> None:
    rule = note.firing.rule
    attempts, error = 0, ""
    try:
        if note.channel == AlertNotification.Channel.EMAIL:
            attempts = 1
            first_line = note.text.splitlines()[0]
            EmailMessage(
                subject=first_line[:150],
                body=note.text,
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=rule.recipients,
            ).send()
        else:
            attempts = post_with_retries(rule.slack_url(), note.text)
    except Exception as exc:  # noqa: BLE001 - a message that cannot go out is recorded, never raised
        error = getattr(exc, "alert_reason", "") or reason_for(exc)
        attempts = getattr(exc, "attempts", attempts) or 1
        log.warning("alert notification %s failed: %s", note.pk, error)
    AlertNotification.objects.filter(pk=note.pk).update(
        status=Status.FAILED if error else Status.SENT,
        attempts=attempts,
        error=error[:300],
        sent_at=None if error else timezone.now(),
    )


def post_with_retries(url: str, text: str) -> int:
    """Posts `text`; how many tries it took. Raises the last error, with `attempts`."""
    tries = settings.ALERTS_SLACK_ATTEMPTS
    delay = settings.ALERTS_SLACK_BACKOFF_SECONDS
    for attempt in range(1, tries + 1):
        try:
            SlackWebhook(url).post_message(text)
            return attempt
        except (ApiUnavailable, ApiRateLimited) as exc:
            if attempt == tries:
                exc.attempts = attempt
                exc.alert_reason = f"{exc} Tried {tries} time{'s' if tries != 1 else ''}."
                raise
            time.sleep(delay)
            delay *= 2
        except ApiError as exc:  # refused for good (404, 400): trying again cannot help
            exc.attempts = attempt
            raise
    raise AssertionError("unreachable")
