from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.cadences.conftest import cache_from_sandbox
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser


def test_an_admin_adds_a_webhook_sees_it_listed_and_watches_an_event_arrive(
    page, live_server, sandbox, demo_users, settings
):
    settings.PUBLIC_BASE_URL = live_server.url
    [prospect] = cache_from_sandbox(sandbox, limit=1, status="In Cadence")
    sign_in(page, "admin", "klenty-admin")

    page.get_by_role("link", name="Webhooks").click()
    page.get_by_label("Event").select_option("open")
    page.get_by_role("button", name="Add webhook").click()

    expect(page.locator("#messages")).to_contain_text("Added the “Email opened” webhook.")
    row = page.locator('[data-testid="webhooks"] tbody tr', has_text="this dashboard")
    expect(row).to_contain_text("Email opened")
    expect(row).to_contain_text("in sync")
    expect(row).to_contain_text(re.compile(re.escape(live_server.url) + "/hooks/klenty/"))

    page.get_by_role("link", name="Activity").click()
    expect(page.get_by_test_id("events")).to_contain_text("No events yet")
    sandbox.activity(prospect.email, "sent")
    sandbox.activity(prospect.email, "open")

    arrived = page.locator('[data-testid="events"] tr[data-event-type="open"]')
    expect(arrived).to_contain_text(prospect.email, timeout=15_000)
