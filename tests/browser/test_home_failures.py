"""Home's failures list at 1280 px, as a Manager: long lines wrap, nothing is wider
than the window, and a run's line links to its page."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from contacts.models import Transfer
from klentyadmin.accounts.models import User
from reporting.models import ReportDelivery
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser

# What a vendor may answer: one long word, nowhere to break it.
LONG_REASON = "The CRM answered: " + "x" * 280

WIDER_THAN_THE_WINDOW = """() => [...document.querySelectorAll("body *")]
    .filter((e) => e.getBoundingClientRect().right > window.innerWidth + 1)
    .map((e) => e.tagName + "." + e.className)"""


def test_a_manager_reads_the_failures_on_home_within_the_window(page, demo_users):
    manager = User.objects.get(username="manager")
    push = Transfer.objects.create(
        direction=Transfer.Direction.TO_CRM,
        created_by=manager,
        status=Transfer.Status.FAILED,
        error=LONG_REASON,
        finished_at=timezone.now(),
    )
    ReportDelivery.objects.create(
        user=manager,
        label="The weekly calls report email for manager",
        scheduled_for=timezone.now(),
        status=ReportDelivery.Status.FAILED,
        error="The subscription was deleted.",
        finished_at=timezone.now(),
    )
    sign_in(page, "manager", "klenty-manager")
    page.goto(reverse("home"))

    failures = page.locator("#attention")
    expect(failures).to_contain_text(
        "The weekly calls report email for manager could not be sent: the subscription was deleted."
    )
    expect(failures.get_by_test_id("failure").get_by_role("link", name="view")).to_have_attribute(
        "href", reverse("contacts:transfer", args=[push.pk])
    )
    page.screenshot(path="/tmp/home-failures-1280.png", full_page=True)
    assert page.evaluate(WIDER_THAN_THE_WINDOW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
