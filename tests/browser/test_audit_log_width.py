"""The audit log at 1280 px, as a Manager: long targets and answers wrap, the filters
fit, the full answer opens behind its toggle, and nothing is wider than the window."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from klentyadmin.core.models import AuditEntry, Service
from tests.browser.test_home_failures import WIDER_THAN_THE_WINDOW
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser

LONG_TARGET = "list:" + "y" * 240
LONG_ANSWER = {"status": "success", "message": "z" * 400, "ids": ["p" * 60] * 20}


def test_the_audit_log_fits_the_window_with_its_answer_open(page, demo_users):
    AuditEntry.objects.create(
        actor_name="manager",
        service=Service.KLENTY,
        action="add_prospects_to_list_with_a_long_name",
        target=LONG_TARGET,
        ok=True,
        result=json.dumps(LONG_ANSWER),
    )
    sign_in(page, "manager", "klenty-manager")
    page.goto(reverse("audit_log") + "?outcome=ok")

    page.get_by_text("Full answer").click()
    expect(page.locator(".audit-raw")).to_be_visible()
    expect(page.get_by_test_id("result-summary")).to_contain_text("status: success")
    page.screenshot(path="/tmp/audit-log-1280.png", full_page=True)
    assert page.evaluate(WIDER_THAN_THE_WINDOW) == []
    # A long action wraps inside its cell, not over the target's.
    action, target = (
        page.locator("[data-testid=audit-entries] tbody td").nth(3),
        page.locator("[data-testid=audit-entries] tbody td").nth(4),
    )
    assert action.bounding_box()["x"] + action.evaluate("e => e.scrollWidth") <= (
        target.bounding_box()["x"] + 1
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
