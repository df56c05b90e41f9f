"""Scheduled report emails: when each is due, what it says, sending and retrying.

A subscription keeps `next_send_at`, the next time its hour comes round in its time
zone. `send_due` (a django-q2 schedule every few minutes) claims each due subscription
with a conditional UPDATE on the old `next_send_at`, so two workers never both send
it, moves it on to the next slot after *now* (a worker that was down for days sends
one report, not one per missed slot), and records a ReportDelivery. Deliveries are
then attempted through the background runner (klentyadmin.core.background, kind
"report_email"); a failed one keeps its error and is tried again after
REPORTS_EMAIL_RETRY_MINUTES, up to REPORTS_EMAIL_MAX_ATTEMPTS times.

After a worker dies, its delivery is taken over by the resume schedule. One it was
handing to the mail server at that moment is not sent again: SMTP cannot be asked
whether the message arrived, so it ends "Maybe sent" and says why (`ReportEmail`).
A delivery whose subscription is deleted before it is handed over ends "Failed",
"The subscription was deleted."

The email is rendered from three templates (`reporting/emails/report-subject.txt`,
`-body.txt`, `-body.html`): the key figures, the charts as PNG images (inline, by
Content-ID) and each chart's table as a CSV attachment; and, when the subscription
asks, the scorecard, goals pacing and the alerts of the period (`email_cockpit`).
The numbers come from the same SQL aggregates as the page, scoped to the subscriber
(a Rep's email shows their own calls, card and alerts only).
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from email.message import MIMEPart

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.http import QueryDict
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from klentyadmin.core import background
from klentyadmin.lib import csv_writer
from reporting import charts, email_cockpit, images, scope
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

KIND = "report_email"
# How long a mail server may take to accept one message before the delivery counts
# as stalled.
MAIL_SERVER_SECONDS = 120
SUBSCRIPTION_DELETED = "The subscription was deleted."
OUTCOME_UNKNOWN = (
    "The worker stopped while handing this email to the mail server, so whether it "
    "went out is not known; it was not sent again, so that it is never sent twice."
)


def new_delivery(
    subscription: ReportSubscription, *, scheduled_for: datetime, is_test: bool = False
) -> ReportDelivery:
    return ReportDelivery.objects.create(
        subscription=subscription,
        user_id=subscription.user_id,
        label=subscription.email_label,
        scheduled_for=scheduled_for,
        is_test=is_test,
    )


def send_due() -> int:
    """Record a delivery for each subscription that is due, then attempt the deliveries
    that are waiting, here, one after the other. Answers how many emails went out."""
    now = timezone.now()
    due = ReportSubscription.objects.filter(active=True, next_send_at__lte=now)
    for subscription in due.select_related("user"):
        claimed = ReportSubscription.objects.filter(
            pk=subscription.pk, next_send_at=subscription.next_send_at
        ).update(next_send_at=next_slot(subscription, now))
        if claimed:
            new_delivery(subscription, scheduled_for=subscription.next_send_at)
    # Retries whose time has come wait in the queue again.
    ReportDelivery.objects.filter(
        status=ReportDelivery.Status.RETRYING, next_attempt_at__lte=now
    ).update(status=ReportDelivery.Status.PENDING)
    waiting = ReportDelivery.objects.filter(status=ReportDelivery.Status.PENDING).values_list(
        "pk", flat=True
    )
    return sum(deliver(delivery_id) for delivery_id in list(waiting))


def queue_test(subscription: ReportSubscription) -> ReportDelivery:
    """ "Send me a test now": a delivery for now, sent by the worker."""
    delivery = new_delivery(subscription, scheduled_for=timezone.now(), is_test=True)
    background.start(KIND, delivery.pk)
    return delivery


def deliver(delivery_id: int) -> bool:
    """Attempts one delivery through the background runner, in this process: True if
    the email went out now. The runner's lease means two workers never both send it."""
    worked = background.run(KIND, delivery_id)
    return worked == "done" and (
        ReportDelivery.objects.filter(pk=delivery_id, status=ReportDelivery.Status.SENT).exists()
    )


@background.kind(KIND)
class ReportEmail(background.Kind):
    """A delivery is a run without items: one attempt per task.

    The attempt is marked (`handing_over_at`) just before the message goes to the mail
    server. A runner that finds that mark on a delivery not recorded as sent took over
    from one that died mid-hand-over: SMTP cannot be asked whether the message arrived,
    so the delivery ends "Maybe sent" and is not sent again. Dying at any other point
    (drawing the charts, say) only means the attempt is made again.

    How an attempt ended is written by `finish`, in the transaction that ends the run:
    the runner ends every run "done", which for a delivery may mean sent, or waiting
    for a retry, or maybe sent.
    """

    label = "Report email"
    model = ReportDelivery

    def lease_seconds(self) -> int:
        # Drawing the charts (kaleido gives up after its own timeout), then the hand-over.
        # A mail server slower than that costs only certainty ("Maybe sent"): the
        # runner taking over finds the mark and sends nothing.
        return images.TIMEOUT_SECONDS + MAIL_SERVER_SECONDS

    def get(self, run_id: int) -> ReportDelivery:
        return ReportDelivery.objects.select_related("subscription__user").get(pk=run_id)

    def failed(self):
        # "Maybe sent" did not end well either; the title reads the subscription.
        return ReportDelivery.objects.filter(
            status__in=[ReportDelivery.Status.FAILED, ReportDelivery.Status.UNKNOWN]
        ).select_related("subscription__user")

    def recover(self, run: ReportDelivery, context: None) -> None:
        """Nothing to put back: `work_slice` reads the hand-over mark itself."""

    def work_slice(self, run: ReportDelivery, context: None, work) -> bool:
        if run.handing_over_at is not None:
            # The worker before this one died handing the email over (or just after).
            if run.sent_at is None:
                run.ending = {"status": ReportDelivery.Status.UNKNOWN, "error": OUTCOME_UNKNOWN}
            return True
        if run.subscription is None:
            raise background.RunFailed(SUBSCRIPTION_DELETED)
        attempt = run.attempts + 1
        ReportDelivery.objects.filter(pk=run.pk).update(attempts=attempt)
        try:
            message, drawing_error = build_message(run)
            if not message.to:
                raise ValueError("The subscriber has no email address and no extra recipients.")
        except Exception as exc:  # templates, the charts, the database: record it and retry
            return self.failed_attempt(run, attempt, exc)
        work.checkpoint()  # still ours, not cancelled: now the one step that cannot be undone
        handing_over = ReportDelivery.objects.filter(pk=run.pk, subscription__isnull=False)
        if not handing_over.update(handing_over_at=timezone.now()):
            raise background.RunFailed(SUBSCRIPTION_DELETED)
        try:
            message.send()
        except Exception as exc:  # the mail server refused it or could not be reached
            return self.failed_attempt(run, attempt, exc)
        ReportDelivery.objects.filter(pk=run.pk).update(
            sent_at=timezone.now(), recipients=", ".join(message.to), subject=message.subject[:300]
        )
        run.ending = {"error": drawing_error}
        return True

    def failed_attempt(self, run: ReportDelivery, attempt: int, exc: Exception) -> bool:
        log.warning("Report email %s failed: %s", run.pk, exc)
        error = f"Attempt {attempt}: {exc}"
        if attempt >= settings.REPORTS_EMAIL_MAX_ATTEMPTS:
            raise background.RunFailed(error) from exc
        retry_at = timezone.now() + timedelta(minutes=settings.REPORTS_EMAIL_RETRY_MINUTES)
        run.ending = {
            "status": ReportDelivery.Status.RETRYING,
            "error": error,
            "next_attempt_at": retry_at,
            "handing_over_at": None,
        }
        return True

    def finish(self, run: ReportDelivery) -> None:
        ending = getattr(run, "ending", {})
        if ending:
            ReportDelivery.objects.filter(pk=run.pk).update(**ending)

    # -- in words ---------------------------------------------------------------

    def title(self, run: ReportDelivery) -> str:
        if run.label:
            return run.label
        return run.subscription.email_label if run.subscription else "A report email"

    def failure_line(self, run: ReportDelivery) -> str:
        """One line for people, when a delivery did not end sent ("" when it did)."""
        if run.status == ReportDelivery.Status.UNKNOWN:
            return f"{self.title(run)} may not have been sent: {as_clause(run.error)}"
        if run.status in (ReportDelivery.Status.FAILED, ReportDelivery.Status.RETRYING):
            return f"{self.title(run)} could not be sent: {as_clause(run.error)}"
        return ""


def as_clause(sentence: str) -> str:
    """ "The subscription was deleted." → "the subscription was deleted.", to follow a colon
    (a leading acronym, "SMTP ...", keeps its capitals)."""
    sentence = sentence.strip() or "no reason was recorded."
    if sentence[1:2].islower():
        sentence = sentence[0].lower() + sentence[1:]
    return sentence if sentence.endswith(".") else f"{sentence}."


# -- the message ------------------------------------------------------------------------


def report_filters(subscription: ReportSubscription) -> ReportFilters:
    today = timezone.now().astimezone(subscription.zone).date()
    return scope.report_filters(subscription.user, QueryDict(subscription.filters), today=today)


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
        "cockpit": email_cockpit.build(subscription, filters),
    }
    subject = render_to_string("reporting/emails/report-subject.txt", context).strip()
    message = EmailMultiAlternatives(
        subject=" ".join(subject.split()),
        body=render_to_string("reporting/emails/report-body.txt", context),
        to=subscription.recipient_list,
        headers={
            "List-Unsubscribe": f"<{context['unsubscribe_url']}>",
            "Message-ID": delivery.message_id,
        },
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
