"""Scheduled report emails: when they go, what they carry, failures and retries."""

from __future__ import annotations

from datetime import UTC, datetime
from smtplib import SMTPException

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django_q.models import Failure

from klentyadmin.core import background
from reporting import emails, images
from reporting.models import ReportDelivery, ReportSubscription
from tests.reporting.conftest import REPS

pytestmark = pytest.mark.django_db

FAKE_PNG = b"\x89PNG\r\n\x1a\nfake"


@pytest.fixture
def fake_images(monkeypatch):
    """Most tests need not start a browser to draw the charts."""
    monkeypatch.setattr(images, "render_pngs", lambda figures: [FAKE_PNG for _ in figures])


def subscribe(user, **fields) -> ReportSubscription:
    values = {
        "report": ReportSubscription.Report.ENGAGEMENT,
        "frequency": ReportSubscription.Frequency.WEEKLY,
        "weekday": ReportSubscription.Weekday.MONDAY,
        "hour": 8,
        "time_zone": "America/New_York",
        "unsubscribe_token": emails.new_token(),
        **fields,
    }
    subscription = ReportSubscription(user=user, **values)
    emails.schedule(subscription)
    subscription.save()
    return subscription


def test_a_weekly_report_goes_out_at_its_hour_in_its_time_zone_with_png_and_csv(
    manager_user, stored_reports, mailoutbox
):
    # Sunday 15 March 2026; New York is on daylight time (UTC-4) since the 8th.
    with time_machine.travel(datetime(2026, 3, 15, 12, tzinfo=UTC), tick=False) as clock:
        subscription = subscribe(manager_user)
        assert subscription.next_send_at == datetime(2026, 3, 16, 12, tzinfo=UTC)

        clock.move_to(datetime(2026, 3, 16, 11, 59, tzinfo=UTC))  # 07:59 in New York
        assert emails.send_due() == 0
        assert mailoutbox == []

        clock.move_to(datetime(2026, 3, 16, 12, 0, tzinfo=UTC))  # 08:00 in New York
        assert emails.send_due() == 1

        clock.move_to(datetime(2026, 3, 16, 12, 5, tzinfo=UTC))
        assert emails.send_due() == 0

    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == [manager_user.email]
    assert message.subject.startswith("Email engagement report")
    html = message.alternatives[0].content
    assert "cid:chart-engagement@klentyadmin" in html
    assert "/reports/unsubscribe/" in html
    parts = {p.get_filename(): p for p in message.message().walk() if p.get_filename()}
    pngs = [n for n, p in parts.items() if p.get_content_type() == "image/png"]
    csvs = [n for n, p in parts.items() if p.get_content_type() == "text/csv"]
    assert "engagement.png" in pngs
    assert parts["engagement.png"].get_payload(decode=True).startswith(b"\x89PNG")
    assert any(n.startswith("engagement-") for n in csvs)
    subscription.refresh_from_db()
    assert subscription.next_send_at == datetime(2026, 3, 23, 12, tzinfo=UTC)
    delivery = ReportDelivery.objects.get()
    assert delivery.status == ReportDelivery.Status.SENT
    assert delivery.error == ""


def test_a_daily_report_skips_no_day_and_does_not_catch_up(manager_user, db, fake_images):
    with time_machine.travel(datetime(2026, 3, 15, 12, tzinfo=UTC), tick=False) as clock:
        subscription = subscribe(
            manager_user, frequency=ReportSubscription.Frequency.DAILY, time_zone="UTC"
        )
        assert subscription.next_send_at == datetime(2026, 3, 16, 8, tzinfo=UTC)
        # The worker was down for three days: one report, then the next slot.
        clock.move_to(datetime(2026, 3, 19, 9, tzinfo=UTC))
        assert emails.send_due() == 1
        assert emails.send_due() == 0

    subscription.refresh_from_db()
    assert subscription.next_send_at == datetime(2026, 3, 20, 8, tzinfo=UTC)
    assert len(mail.outbox) == 1


def test_a_failing_send_is_recorded_and_retried(manager_user, db, fake_images, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    real_send = EmailMultiAlternatives.send
    failures = iter([SMTPException("421 try later")])

    def flaky_send(self, *args, **kwargs):
        error = next(failures, None)
        if error:
            raise error
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", flaky_send)
    with time_machine.travel(datetime(2026, 3, 16, 12, tzinfo=UTC), tick=False) as clock:
        subscribe(manager_user, time_zone="UTC", hour=12)  # next Monday
        clock.move_to(datetime(2026, 3, 23, 12, tzinfo=UTC))
        assert emails.send_due() == 0

        delivery = ReportDelivery.objects.get()
        assert delivery.status == ReportDelivery.Status.RETRYING
        assert "421 try later" in delivery.error
        assert delivery.attempts == 1

        clock.move_to(datetime(2026, 3, 23, 12, 10, tzinfo=UTC))  # not yet
        assert emails.send_due() == 0
        clock.move_to(datetime(2026, 3, 23, 12, 16, tzinfo=UTC))
        assert emails.send_due() == 1

    delivery.refresh_from_db()
    assert delivery.status == ReportDelivery.Status.SENT
    assert delivery.attempts == 2
    assert len(mail.outbox) == 1


def test_a_send_that_keeps_failing_is_given_up_after_the_last_attempt(
    manager_user, db, fake_images, monkeypatch, settings
):
    settings.REPORTS_EMAIL_MAX_ATTEMPTS = 2
    from django.core.mail import EmailMultiAlternatives

    def broken(self, *args, **kwargs):
        raise SMTPException("550 no")

    monkeypatch.setattr(EmailMultiAlternatives, "send", broken)
    with time_machine.travel(datetime(2026, 3, 16, 12, tzinfo=UTC), tick=False) as clock:
        subscribe(manager_user, time_zone="UTC", hour=13, weekday=0)
        for minute in (0, 20, 40):
            clock.move_to(datetime(2026, 3, 16, 13, minute, tzinfo=UTC))
            emails.send_due()

    delivery = ReportDelivery.objects.get()
    assert delivery.status == ReportDelivery.Status.FAILED
    assert delivery.attempts == 2


def test_send_me_a_test_now(
    manager_client, manager_user, db, fake_images, django_capture_on_commit_callbacks
):
    subscription = subscribe(manager_user, report=ReportSubscription.Report.CALLS)

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("reporting:test_email", args=[subscription.pk]))

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject.startswith("[Test] Calls report")
    delivery = ReportDelivery.objects.get()
    assert delivery.is_test and delivery.status == ReportDelivery.Status.SENT
    history = manager_client.get(reverse("reporting:emails")).content.decode()
    assert "(test)" in history


def test_a_reps_calls_report_shows_only_their_calls(rep_user, stored_reports, fake_images):
    with time_machine.travel(datetime(2026, 3, 16, 12, tzinfo=UTC), tick=False):
        subscription = subscribe(rep_user, report=ReportSubscription.Report.CALLS)
        emails.deliver(emails.queue_test(subscription).pk)

    message = mail.outbox[0]
    assert rep_user.klenty_email in message.body
    for other in REPS[1:]:
        assert other not in message.body
        for attachment in message.attachments:
            content = (
                attachment.get_content() if hasattr(attachment, "get_content") else attachment[1]
            )
            assert other.encode() not in (
                content if isinstance(content, bytes) else content.encode()
            )


def test_subscribing_from_the_page(manager_client, manager_user, db):
    response = manager_client.post(
        reverse("reporting:emails"),
        {
            "report": "engagement",
            "frequency": "weekly",
            "weekday": "4",
            "hour": "7",
            "time_zone": "Europe/Berlin",
            "range": "7",
            "extra_recipients": "priya.natarajan@northwind.example",
        },
    )

    assert response.status_code == 302
    subscription = ReportSubscription.objects.get(user=manager_user)
    assert subscription.recipient_list == [manager_user.email, "priya.natarajan@northwind.example"]
    assert subscription.next_send_at.astimezone(subscription.zone).hour == 7
    assert subscription.next_send_at.astimezone(subscription.zone).weekday() == 4


def test_extra_recipients_must_be_in_the_team(manager_client, db):
    response = manager_client.post(
        reverse("reporting:emails"),
        {
            "report": "engagement",
            "frequency": "daily",
            "weekday": "0",
            "hour": "7",
            "time_zone": "UTC",
            "extra_recipients": "someone@elsewhere.example",
        },
    )

    assert response.status_code == 200
    assert "is not in the team" in response.content.decode()
    assert not ReportSubscription.objects.exists()


def test_the_unsubscribe_link_works_without_signing_in(client, manager_user, db):
    subscription = subscribe(manager_user)
    url = reverse("reporting:unsubscribe", args=[subscription.unsubscribe_token])

    assert client.get(url).status_code == 200
    subscription.refresh_from_db()
    assert subscription.active  # a GET (a mail scanner) changes nothing

    client.post(url)

    subscription.refresh_from_db()
    assert not subscription.active
    with time_machine.travel(subscription.next_send_at, tick=False):
        assert emails.send_due() == 0


def test_deleting_a_subscription_asks_first_and_a_plain_post_deletes_nothing(
    manager_client, manager_user
):
    subscription = subscribe(manager_user)
    url = reverse("reporting:delete_email", args=[subscription.pk])

    asked = manager_client.post(url)

    assert asked.status_code == 200
    assert "Delete the email engagement report email?" in asked.content.decode()
    assert ReportSubscription.objects.filter(pk=subscription.pk).exists()

    done = manager_client.post(url, {"confirmed": "yes"}, follow=True)

    assert not ReportSubscription.objects.filter(pk=subscription.pk).exists()
    assert "The subscription is deleted." in done.content.decode()


def test_users_cannot_touch_other_users_subscriptions(rep_client, manager_user, db):
    subscription = subscribe(manager_user)

    assert (
        rep_client.post(reverse("reporting:test_email", args=[subscription.pk])).status_code == 404
    )
    assert (
        rep_client.post(
            reverse("reporting:delete_email", args=[subscription.pk]), {"confirmed": "yes"}
        ).status_code
        == 404
    )


def test_when_the_charts_cannot_be_drawn_the_figures_and_csv_still_go_out(
    manager_user, stored_reports, settings
):
    settings.REPORTS_CHROMIUM_PATH = "/nonexistent/chromium"
    with time_machine.travel(datetime(2026, 3, 16, 12, tzinfo=UTC), tick=False):
        subscription = subscribe(manager_user)
        assert emails.deliver(emails.queue_test(subscription).pk)

    message = mail.outbox[0]
    assert "could not be drawn" in message.body
    assert any(a.get_content_type() == "text/csv" for a in message.message().walk())
    assert not any(a.get_content_type() == "image/png" for a in message.message().walk())
    delivery = ReportDelivery.objects.get()
    assert delivery.status == ReportDelivery.Status.SENT
    assert "could not be drawn" in delivery.error


def delete_from_the_page(client, subscription: ReportSubscription) -> None:
    # "confirmed": the answer to the delete's question, where it asks one.
    url = reverse("reporting:delete_email", args=[subscription.pk])
    assert client.post(url, {"confirmed": "yes"}).status_code == 302


DELETED_LINE = (
    "The weekly email engagement report email for morgan could not be sent: "
    "the subscription was deleted."
)


def test_a_subscription_deleted_while_its_test_email_is_drawn_ends_in_a_readable_failure(
    manager_client, manager_user, monkeypatch, django_capture_on_commit_callbacks
):
    """Issue 11: deleting a subscription just after "Send me a test now" made the
    worker fail with "Save with update_fields did not affect any rows"."""
    subscription = subscribe(manager_user)

    def draw_while_the_user_deletes(figures):
        delete_from_the_page(manager_client, subscription)
        return [FAKE_PNG for _ in figures]

    monkeypatch.setattr(images, "render_pngs", draw_while_the_user_deletes)
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("reporting:test_email", args=[subscription.pk]))

    assert not ReportSubscription.objects.exists()
    assert mail.outbox == []
    delivery = ReportDelivery.objects.get()
    assert delivery.status == ReportDelivery.Status.FAILED
    assert delivery.error == emails.SUBSCRIPTION_DELETED
    assert background.get(emails.KIND).failure_line(delivery) == DELETED_LINE
    assert not Failure.objects.exists()  # nothing for Home to show as a traceback
    history = manager_client.get(reverse("reporting:emails")).content.decode()
    assert "The subscription was deleted." in history


def test_a_test_email_whose_subscription_is_deleted_before_the_worker_starts_is_not_sent(
    manager_client, manager_user, fake_images, django_capture_on_commit_callbacks
):
    subscription = subscribe(manager_user)
    with django_capture_on_commit_callbacks() as queued:
        manager_client.post(reverse("reporting:test_email", args=[subscription.pk]))
    delete_from_the_page(manager_client, subscription)

    for callback in queued:
        callback()

    assert mail.outbox == []
    delivery = ReportDelivery.objects.get()
    assert delivery.status == ReportDelivery.Status.FAILED
    assert background.get(emails.KIND).failure_line(delivery) == DELETED_LINE
    assert not Failure.objects.exists()
