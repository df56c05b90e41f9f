"""Email and Slack-compatible webhook messages, received for real: one per firing, a
reminder, a snooze, a resolved message; a webhook answering 500 retried, then failed."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from alerts.evaluation import evaluate_all
from alerts.models import AlertFiring, AlertNotification
from tests.alerts.helpers import engagement, rule

pytestmark = pytest.mark.usefixtures("no_builtins")


@pytest.fixture
def bounce_rule(receiver):
    r = rule(name="Bounces", scope="each_cadence", threshold=5, email_to="boss@northwind.example")
    r.set_slack_url(receiver.url)
    r.save()
    return r


def test_a_firing_is_sent_once_by_email_and_to_the_webhook(receiver, bounce_rule):
    engagement("Webinar", prospects_added=100, bounces=8)

    evaluate_all()
    evaluate_all()  # still firing, no reminder due: nothing new

    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["boss@northwind.example"]
    assert mail.outbox[0].subject.startswith(
        "Alert: Bounces: bounce rate for the cadence “Webinar” is 8%"
    )
    assert len(receiver.texts) == 1
    assert (
        "8%" in receiver.texts[0] and "http://console.example/alerts/history/" in receiver.texts[0]
    )
    assert set(AlertNotification.objects.values_list("status", flat=True)) == {"sent"}


def test_a_reminder_after_the_period_then_a_snooze_holds_it_back(receiver, bounce_rule):
    engagement("Webinar", prospects_added=100, bounces=8)
    evaluate_all()
    later = timezone.now() + timedelta(hours=25)

    with time_machine.travel(later, tick=False):
        evaluate_all()
    assert len(receiver.texts) == 2 and receiver.texts[1].startswith("Still firing since")

    firing = AlertFiring.objects.get()
    firing.snoozed_until = later + timedelta(days=3)
    firing.save()
    with time_machine.travel(later + timedelta(hours=25), tick=False):
        evaluate_all()
    assert len(receiver.texts) == 2
    with time_machine.travel(later + timedelta(days=3, hours=1), tick=False):
        evaluate_all()
    assert len(receiver.texts) == 3
    assert len(mail.outbox) == 3


def test_a_resolved_message_when_it_clears(receiver, bounce_rule):
    row = engagement("Webinar", prospects_added=100, bounces=8)
    evaluate_all()
    row.bounces = 1
    row.save()

    evaluate_all()

    assert receiver.texts[-1].startswith("Resolved: Bounces for the cadence “Webinar”.")
    assert "Now:" in receiver.texts[-1] and "1%" in receiver.texts[-1]
    assert mail.outbox[-1].subject.startswith("Resolved:")
    assert AlertFiring.objects.get().resolved_at is not None
    assert AlertFiring.objects.open().count() == 0


def test_a_new_firing_after_it_resolved_is_sent_again(receiver, bounce_rule):
    row = engagement("Webinar", prospects_added=100, bounces=8)
    evaluate_all()
    row.bounces = 0
    row.save()
    evaluate_all()
    row.bounces = 9
    row.save()

    evaluate_all()

    assert [t.split(":")[0] for t in receiver.texts] == ["Alert", "Resolved", "Alert"]
    assert AlertFiring.objects.count() == 2


def test_a_webhook_answering_500_is_retried_then_failed_in_the_history(
    receiver, bounce_rule, manager_client
):
    receiver.statuses = [500]
    engagement("Webinar", prospects_added=100, bounces=8)

    evaluate_all()

    assert len(receiver.messages) == 3  # ALERTS_SLACK_ATTEMPTS
    slack = AlertNotification.objects.get(channel="slack")
    assert (slack.status, slack.attempts) == ("failed", 3)
    assert "HTTP 500" in slack.error
    assert AlertNotification.objects.get(channel="email").status == "sent"
    page = manager_client.get(reverse("alerts:history"))
    assert page.status_code == 200
    body = page.content.decode()
    assert "Failed" in body and "HTTP 500" in body
    assert receiver.url not in body and "secretpart1234" not in body


def test_a_webhook_that_recovers_on_the_second_try_is_sent(receiver, bounce_rule):
    receiver.statuses = [503, 200]
    engagement("Webinar", prospects_added=100, bounces=8)

    evaluate_all()

    slack = AlertNotification.objects.get(channel="slack")
    assert (slack.status, slack.attempts, len(receiver.messages)) == ("sent", 2, 2)


def test_the_webhook_url_is_stored_encrypted(receiver, bounce_rule):
    bounce_rule.refresh_from_db()

    assert "secretpart1234" not in bounce_rule.slack_url_encrypted
    assert bounce_rule.slack_url() == receiver.url
    assert bounce_rule.slack_url_hint == "127.0.0.1/…1234"


def test_a_revoked_webhook_is_not_tried_again(receiver, bounce_rule):
    receiver.statuses = [404]
    engagement("Webinar", prospects_added=100, bounces=8)

    evaluate_all()

    slack = AlertNotification.objects.get(channel="slack")
    assert (slack.status, slack.attempts, len(receiver.messages)) == ("failed", 1, 1)
    assert "no longer exists" in slack.error
