"""A Manager sets a goal for a rep on the scorecards page and sees its pacing; Home
and the scorecards fit a 1280 px window."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cadences.models import Cadence
from reporting import pulls
from reporting.models import Call, EngagementDay
from reporting.rollups import rebuild_all
from tests.browser.test_home_failures import WIDER_THAN_THE_WINDOW
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser

PRIYA = "priya.natarajan@northwind.example"


@pytest.fixture
def this_month(transactional_db):
    """Some of this month's figures for Priya, on the live server's real clock."""
    today = pulls.today()
    first = today.replace(day=1)
    Cadence.objects.create(klenty_id="c1", name="Priya's outbound", owners=[PRIYA])
    EngagementDay.objects.create(
        cadence_name="Priya's outbound", day=first, replies=7, positive=3, prospects_added=40
    )
    Call.objects.bulk_create(
        Call(
            call_sid=f"CA{n}",
            username=PRIYA,
            called_on=first,
            created_at=datetime.combine(first, datetime.min.time(), UTC),
            disposition="MEETING_BOOKED" if n < 2 else "CONNECTED",
            outcome="Meeting Booked" if n < 2 else "",
            duration_seconds=120,
        )
        for n in range(5)
    )
    rebuild_all()
    return today


def test_a_manager_sets_a_goal_for_a_rep_and_sees_pacing(page, demo_users, this_month):
    sign_in(page, "manager", "klenty-manager")
    page.goto(reverse("reporting:scorecards") + "?period=month")

    row = page.get_by_test_id(f"scorecard-{PRIYA}")
    expect(row.get_by_test_id("meetings")).to_contain_text("2")
    expect(page.get_by_test_id("no-goals")).to_be_visible()

    form = page.get_by_test_id("goal-form")
    form.get_by_label("Team member").select_option(PRIYA)
    form.get_by_label("Period", exact=True).select_option("month")
    form.get_by_label("Meetings").fill("-3")
    form.get_by_role("button", name="Save goals").click()
    expect(form.locator(".field-error")).to_contain_text("greater than or equal to 0")

    form = page.get_by_test_id("goal-form")
    form.get_by_label("Team member").select_option(PRIYA)
    form.get_by_label("Period", exact=True).select_option("month")
    form.get_by_label("Period containing").fill(this_month.isoformat())
    form.get_by_label("Meetings").fill("1")
    form.get_by_label("Calls").fill("5000")
    with page.expect_navigation():
        form.get_by_role("button", name="Save goals").click()

    expect(page.locator(".message-success")).to_contain_text(f"Goals saved for {PRIYA}")
    pace = page.get_by_test_id(f"pace-{PRIYA}-meetings")
    expect(pace).to_contain_text("Meetings")
    expect(pace.get_by_test_id("pace-status")).to_have_text("ahead")
    calls = page.get_by_test_id(f"pace-{PRIYA}-calls")
    expect(calls.get_by_test_id("pace-status")).to_have_text("behind")
    page.screenshot(path="/tmp/scorecards-1280.png", full_page=True)
    assert page.evaluate(WIDER_THAN_THE_WINDOW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


@pytest.mark.parametrize(
    ("login", "password"), [("manager", "klenty-manager"), ("rep", "klenty-rep")]
)
def test_home_fits_a_1280_px_window(page, demo_users, this_month, login, password):
    sign_in(page, login, password)
    page.goto(reverse("home"))

    expect(page.get_by_test_id("cockpit")).to_be_visible()
    expect(page.get_by_test_id("attention")).to_be_visible()
    page.screenshot(path=f"/tmp/home-{login}-1280.png", full_page=True)
    assert page.evaluate(WIDER_THAN_THE_WINDOW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_an_admins_home_and_system_page_fit_a_1280_px_window(page, demo_users, this_month):
    sign_in(page, "admin", "klenty-admin")
    page.goto(reverse("home"))
    expect(page.get_by_test_id("cockpit")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    page.get_by_role("link", name="System: connection, prospect cache, worker →").click()
    expect(page.get_by_test_id("sync-status")).to_be_visible()  # loaded by htmx
    expect(page.locator("#worker")).to_contain_text("Tasks waiting")
    page.screenshot(path="/tmp/system-1280.png", full_page=True)
    assert page.evaluate(WIDER_THAN_THE_WINDOW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
