"""Deleting asks first: the question replaces the Delete button, and only its own
button deletes. Nothing here is an inline script (the page fixture fails on a CSP
violation)."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from klentyadmin.accounts.models import User
from reporting import emails
from reporting.models import ReportSubscription
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser


def test_a_manager_deletes_a_report_subscription_through_the_confirmation(page, demo_users):
    subscription = ReportSubscription(
        user=User.objects.get(username="manager"),
        report=ReportSubscription.Report.CALLS,
        unsubscribe_token=emails.new_token(),
    )
    emails.schedule(subscription)
    subscription.save()
    sign_in(page, "manager", "klenty-manager")
    page.goto(reverse("reporting:emails"))
    subscriptions = page.get_by_test_id("subscriptions")

    # Cancel leaves it alone.
    subscriptions.get_by_role("button", name="Delete").click()
    question = page.get_by_test_id("confirm")
    expect(question).to_contain_text("Delete the calls report email?")
    question.get_by_role("link", name="Cancel").click()
    expect(subscriptions).to_contain_text("Calls")
    assert ReportSubscription.objects.filter(pk=subscription.pk).exists()

    subscriptions.get_by_role("button", name="Delete").click()
    expect(page.get_by_test_id("confirm")).to_contain_text("the emails it sent stay in the history")
    assert ReportSubscription.objects.filter(pk=subscription.pk).exists()
    page.get_by_test_id("confirm").get_by_role("button", name="Delete").click()

    expect(page.get_by_text("The subscription is deleted.")).to_be_visible()
    expect(subscriptions).to_contain_text("None yet.")
    assert not ReportSubscription.objects.filter(pk=subscription.pk).exists()
