"""A Manager opens the outcome funnel from the Reports page, sees the steps and the
chart drawn, narrows the range and the funnel follows, all in a 1280 px window."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from cadences.models import Cadence
from reporting.models import EngagementDay, StepRow, StepSnapshot
from tests.browser.test_home_failures import WIDER_THAN_THE_WINDOW
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser

PRIYA = "priya.natarajan@northwind.example"


@pytest.fixture
def funnel_data(transactional_db):
    today = date.today()
    Cadence.objects.create(klenty_id="c1", name="Alpha", owners=[PRIYA])
    EngagementDay.objects.create(
        cadence_name="Alpha", day=today, prospects_added=10, opens=4, replies=2, positive=1
    )
    EngagementDay.objects.create(  # in the last 30 days, not in the last 7
        cadence_name="Alpha", day=today - timedelta(days=20), prospects_added=30, opens=50
    )
    snap = StepSnapshot.objects.create(
        cadence_name="Alpha",
        taken_on=today,
        range_start=today - timedelta(days=29),
        range_end=today,
    )
    StepRow.objects.create(snapshot=snap, step_number=1, step_type="email", mails=25)


def test_a_manager_opens_the_outcome_funnel(page, demo_users, funnel_data):
    sign_in(page, "manager", "klenty-manager")
    page.get_by_role("link", name="Reports").click()
    page.get_by_test_id("funnel-link").click()

    expect(page.get_by_role("heading", name="Outcome funnel", level=1)).to_be_visible()
    steps = page.get_by_test_id("team-steps")
    expect(steps.locator('[data-step="added"] .funnel-count')).to_have_text("40")
    expect(steps.locator('[data-step="contacted"] .funnel-count')).to_have_text("25")
    expect(steps.get_by_test_id("conversion-contacted")).to_have_text("63% of the step before")
    expect(steps.get_by_test_id("conversion-opened")).to_contain_text("count different things")
    expect(page.locator("#chart-outcome_funnel .plot[data-drawn] .main-svg").first).to_be_visible()
    page.screenshot(path="/tmp/funnel-1280.png", full_page=True)
    assert page.evaluate(WIDER_THAN_THE_WINDOW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    page.get_by_test_id("range").select_option("7")
    expect(page).to_have_url("/reports/funnel/?range=7")
    expect(steps.locator('[data-step="added"] .funnel-count')).to_have_text("10")
    row = page.locator('[data-testid="cadence-table"] tr[data-name="Alpha"]')
    expect(row.locator('[data-step="replied"]')).to_contain_text("2")
