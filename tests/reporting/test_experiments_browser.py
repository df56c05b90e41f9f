"""A manager opens Experiments from the reports, picks two cadences and reads the verdict."""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from reporting.models import EngagementDay, StepRow, StepSnapshot
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def two_cadences(transactional_db):
    """Forty days up to today (the live server's real clock): Beta replies half as often again."""
    today = date.today()
    EngagementDay.objects.bulk_create(
        EngagementDay(
            cadence_name=name,
            day=today - timedelta(days=n),
            prospects_added=10,
            replies=replies,
            positive=1,
        )
        for name, replies in (("Alpha", 2), ("Beta", 3), ("Gamma", 2))
        for n in range(40)
    )
    snapshot = StepSnapshot.objects.create(
        cadence_name="Alpha",
        taken_on=today,
        range_start=today - timedelta(days=29),
        range_end=today,
    )
    for option, replies in ((1, 12), (2, 40)):
        StepRow.objects.create(
            snapshot=snapshot,
            step_number=2,
            option=option,
            mails=300,
            replies=replies,
            subject=f"Subject {option}",
        )


def test_a_manager_compares_two_cadences_and_reads_the_verdict(page, demo_users, two_cadences):
    sign_in(page, "manager", "klenty-manager")
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_role("link", name="Experiments").click()
    expect(page.get_by_role("heading", name="Experiments", level=1)).to_be_visible()
    result = page.get_by_test_id("experiment-result")
    expect(result).to_contain_text("Choose two or more cadences")
    # The A/B step control is hidden while cadences are compared.
    expect(page.get_by_label("Step with A/B options")).to_be_hidden()

    page.get_by_label("Cadences to compare").select_option(["Alpha", "Beta"])

    verdict = page.get_by_test_id("verdict")
    expect(verdict).to_contain_text("Beta is better with 95% confidence")
    expect(page).to_have_url(
        re.compile(r"/reports/experiments/\?kind=cadences&metric=reply&arm=Alpha&arm=Beta")
    )
    arms = page.get_by_test_id("arms")
    expect(arms.locator("tbody tr")).to_have_count(2)
    expect(arms).to_contain_text("300")
    expect(page.get_by_test_id("pairs")).to_contain_text("Beta vs Alpha")

    # A shorter range: fewer prospects, not enough data yet, and it says how many more.
    page.get_by_test_id("range").select_option("7")
    expect(verdict).to_contain_text("Not enough data to tell Beta from Alpha: about")
    expect(verdict).to_contain_text("more prospects per arm")
    expect(page.get_by_test_id("sample-warning").first).to_be_visible()
    expect(page).to_have_url(re.compile(r"range=7"))

    # Positive replies: the same rate in every arm.
    page.get_by_label("Compare on").select_option("positive")
    expect(verdict).to_contain_text("have the same rate so far")

    # The A/B options of a step: the cadences' control gives way to the steps'.
    page.get_by_label("A/B options of a step").check()
    expect(page.get_by_label("Cadences to compare")).to_be_hidden()
    page.get_by_label("Step with A/B options").select_option(label="Alpha · step 2 (2 options)")
    expect(verdict).to_contain_text("no arm has any positive replies yet")
    page.get_by_label("Compare on").select_option("reply")
    expect(verdict).to_contain_text("Option B is better with 95% confidence")
    expect(page.get_by_test_id("arms")).to_contain_text("Subject 2")

    # The page fits a 1280 px window.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280
