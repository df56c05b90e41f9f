"""Scheduled report emails: when each is due, what it says, sending and retrying.

A subscription keeps `next_send_at`, the next time its hour comes round in its time
zone. `send_due` (a django-q2 schedule every few minutes) claims each due subscription
with a conditional UPDATE on the old `next_send_at`, so two workers never both send
it, moves it on to the next slot after *now* (a worker that was down for days sends
one report, not one per missed slot), and records a ReportDelivery. Deliveries are
then attempted; a failed one keeps its error and is tried again after
REPORTS_EMAIL_RETRY_MINUTES, up to REPORTS_EMAIL_MAX_ATTEMPTS times.

The email is rendered from three templates (`reporting/emails/report-subject.txt`,
`-body.txt`, `-body.html`): the key figures, the charts as PNG images (inline, by
Content-ID) and each chart's table as a CSV attachment. The numbers come from the
same SQL aggregates as the page, scoped to the subscriber (a Rep's email shows their
own calls only).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from email.message import MIMEPart

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_q.tasks import async_task

from klentyadmin.core.connections import klenty_target
from klentyadmin.lib import csv_writer
from reporting import charts, images
from reporting.forms import ReportFilters
from reporting.models import ReportDelivery, ReportSubscription

log = logging.getLogger(__name__)

# Which charts each report carries; the first is the headline.
REPORT_CHARTS = {
    ReportSubscription.Report.ENGAGEMENT: ["engagement", "rates", "engagement_cadences"],
    ReportSubscription.Report.CALLS: ["calls_daily", "leaderboard", "durations"],
    ReportSubscription.Report.CADENCES: ["cadences", "engagement"],
}


def new_token() -> str:
    return secrets.token_urlsafe(32)


def next_slot(subscription: ReportSubscription, after: datetime) -> datetime:
    """The first time after `after` at which the subscription's hour comes round, on
    its weekday if weekly, in its time zone (so 08:00 stays 08:00 across DST)."""
    zone = subscription.zone
    local = after.astimezone(zone)
    day = local.date()
    for offset in range(0, 9):
        candidate_day = day + timedelta(days=offset)
        if (
            subscription.frequency == ReportSubscription.Frequency.WEEKLY
            and candidate_day.weekday() != subscription.weekday
        ):
            continue
        candidate = datetime(
            candidate_day.year,
            candidate_day.month,
            candidate_day.day,
            subscription.hour,
            tzinfo=zone,
        )
        if candidate > after:
            return candidate.astimezone(timezone.UTC)
    raise AssertionError("a weekday always comes round within 8 days")


def schedule(subscription: ReportSubscription) -> None:
    subscription.next_send_at = next_slot(subscription, timezone.now())


# -- sending --------------------------------------------------------------------------


def send_due() -> int:
    """Record a delivery for each subscription that is due, then attempt the deliveries
    that are waiting. Answers how many emails went out."""
    now = timezone.now()
    due = ReportSubscription.objects.filter(active=True, next_send_at__lte=now)
    for subscription in due.select_related("user"):
        claimed = ReportSubscription.objects.filter(
            pk=subscription.pk, next_send_at=subscription.next_send_at
        ).update(next_send_at=next_slot(subscription, now))
        if claimed:
            ReportDelivery.objects.create(
                subscription=subscription,
                scheduled_for=subscription.next_send_at,
                next_attempt_at=now,
            )
    sent = 0
    waiting = ReportDelivery.objects.filter(
        status__in=[ReportDelivery.Status.PENDING, ReportDelivery.Status.RETRYING],
        next_attempt_at__lte=now,
    ).values_list("pk", flat=True)
    for delivery_id in list(waiting):
        sent += deliver(delivery_id)
    return sent


def queue_test(subscription: ReportSubscription) -> ReportDelivery:
    """ "Send me a test now": a delivery for now, sent by the worker."""
    delivery = ReportDelivery.objects.create(
        subscription=subscription, scheduled_for=timezone.now(), is_test=True
    )
    transaction.on_commit(lambda: async_task("reporting.emails.deliver", delivery.pk))
    return delivery


def deliver(delivery_id: int) -> bool:
    """Attempt one delivery. The attempt is claimed first (attempts = old value), so
    a delivery is never sent twice by racing workers."""
    delivery = ReportDelivery.objects.select_related("subscription__user").get(pk=delivery_id)
    if delivery.status not in (ReportDelivery.Status.PENDING, ReportDelivery.Status.RETRYING):
        return False
    retry_at = timezone.now() + timedelta(minutes=settings.REPORTS_EMAIL_RETRY_MINUTES)
    claimed = ReportDelivery.objects.filter(pk=delivery.pk, attempts=delivery.attempts).update(
        attempts=delivery.attempts + 1, next_attempt_at=retry_at
    )
    if not claimed:
        return False
    delivery.attempts += 1
    try:
        message, drawing_error = build_message(delivery)
        if not message.to:
            raise ValueError("The subscriber has no email address and no extra recipients.")
        message.send()
    except Exception as exc:  # SMTP, templates, the database: record it and retry
        log.warning("Report email %s failed: %s", delivery.pk, exc)
        gave_up = delivery.attempts >= settings.REPORTS_EMAIL_MAX_ATTEMPTS
        delivery.status = (
            ReportDelivery.Status.FAILED if gave_up else ReportDelivery.Status.RETRYING
        )
        delivery.error = f"Attempt {delivery.attempts}: {exc}"[:2000]
        delivery.save(update_fields=["status", "error"])
        return False
    delivery.status = ReportDelivery.Status.SENT
    delivery.sent_at = timezone.now()
    delivery.recipients = ", ".join(message.to)
    delivery.subject = message.subject[:300]
    delivery.error = drawing_error
    delivery.save(update_fields=["status", "sent_at", "recipients", "subject", "error"])
    return True


# -- the message ------------------------------------------------------------------------


def report_filters(subscription: ReportSubscription) -> ReportFilters:
    user = subscription.user
    today = timezone.now().astimezone(subscription.zone).date()
    reps = klenty_target().team_emails if user.is_manager_or_admin else ()
    return ReportFilters.from_params(
        QueryDict(subscription.filters), cadences=charts.cadence_names(), reps=reps, today=today
    )


def csv_bytes(chart: charts.Chart) -> bytes:
    return csv_writer.csv_bytes([chart.columns, *chart.rows])


def build_message(delivery: ReportDelivery) -> tuple[EmailMultiAlternatives, str]:
    subscription = delivery.subscription
    user = subscription.user
    filters = report_filters(subscription)
    wanted = REPORT_CHARTS[subscription.report]
    sections = {
        name: charts.build_section(name, filters, user)
        for name in dict.fromkeys(charts.CHART_SECTIONS[c] for c in wanted)
    }
    chosen = [sections[charts.CHART_SECTIONS[c]].chart(c) for c in wanted]
    drawable = [c for c in chosen if c and c.figure and not c.empty]
    drawing_error = ""
    try:
        pngs = images.render_pngs([c.figure for c in drawable])
    except images.ImageError as exc:
        pngs, drawing_error = [], str(exc)
    site = settings.REPORTS_SITE_URL
    context = {
        "subscription": subscription,
        "delivery": delivery,
        "filters": filters,
        "engagement": sections.get("engagement"),
        "calls": sections.get("calls"),
        "cadences": sections.get("cadences"),
        "images": [
            {"cid": f"chart-{c.name}@klentyadmin", "title": c.title} for c in drawable[: len(pngs)]
        ],
        "report_url": f"{site}{reverse('reporting:dashboard')}?{filters.query_string()}",
        "unsubscribe_url": f"{site}{reverse('reporting:unsubscribe', args=[subscription.unsubscribe_token])}",
        "drawing_error": drawing_error,
    }
    subject = render_to_string("reporting/emails/report-subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("reporting/emails/report-body.txt", context),
        to=subscription.recipient_list,
        headers={"List-Unsubscribe": f"<{context['unsubscribe_url']}>"},
    )
    message.attach_alternative(
        render_to_string("reporting/emails/report-body.html", context), "text/html"
    )
    for chart, png in zip(drawable, pngs, strict=False):
        part = MIMEPart()
        part.set_content(
            png,
            maintype="image",
            subtype="png",
            disposition="inline",
            filename=f"{chart.name}.png",
            cid=f"<chart-{chart.name}@klentyadmin>",
        )
        message.attach(part)
    for chart in chosen:
        if chart is not None:
            name = f"{chart.name}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv"
            message.attach(name, csv_bytes(chart), "text/csv")
    return message, drawing_error
