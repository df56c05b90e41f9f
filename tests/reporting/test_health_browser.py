"""A manager opens Deliverability and When people answer from the Reports page, then
moves to Asia/Kolkata and sees the heatmap follow."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from cadences.models import Cadence, Event
from reporting.models import EngagementDay
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def health_data(transactional_db):
    today = date.today()
    Cadence.objects.create(
        klenty_id="c1", name="Alpha", owners=["priya.natarajan@northwind.example"]
    )
    EngagementDay.objects.bulk_create(
        EngagementDay(
            cadence_name="Alpha", day=today - timedelta(days=n), prospects_added=10, bounces=1
        )
        for n in range(20)
    )
    now = timezone.now()
    Event.objects.bulk_create(
        Event(
            raw_body="{}",
            event_type=kind,
            email=f"p{n}@acme.example",
            occurred_at=now - timedelta(hours=n),
        )
        for n in range(30)
        for kind in ("open", "reply")
    )


def test_a_manager_sees_deliverability_and_when_people_answer(page, demo_users, health_data):
    sign_in(page, "manager", "klenty-manager")
    page.get_by_role("link", name="Reports").click()
    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    page.get_by_test_id("deliverability-link").click()

    expect(page.get_by_role("heading", name="Deliverability", level=1)).to_be_visible()
    alpha = page.locator('[data-testid="cadence-health-row"][data-name="Alpha"]')
    expect(alpha.get_by_test_id("bounce-band")).to_have_text("Danger: over 5%")  # 20 of 200
    expect(alpha.get_by_test_id("basis")).to_have_text("200 prospects added")
    expect(
        page.locator("#chart-deliverability_trend .plot[data-drawn] .main-svg").first
    ).to_be_visible()

    page.get_by_role("link", name="When people answer").first.click()
    expect(page.get_by_role("heading", name="When people answer", level=1)).to_be_visible()
    expect(page.get_by_test_id("viewer-zone")).to_have_text("UTC")
    expect(page.locator("#chart-answer_opens .plot[data-drawn] .main-svg").first).to_be_visible()
    expect(page.locator("#chart-answer_replies .plot[data-drawn] .main-svg").first).to_be_visible()
    expect(page.get_by_test_id("answer-totals")).to_have_text("30 opens and 30 replies.")

    page.get_by_test_id("time-zone-link").click()
    page.get_by_label("Time zone").select_option("Asia/Kolkata")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Dates and times are now shown in Asia/Kolkata.")).to_be_visible()
    page.goto("/reports/answer-times/")
    expect(page.get_by_test_id("viewer-zone")).to_have_text("Asia/Kolkata")
    expect(page.locator("#chart-answer_opens .plot[data-drawn] .main-svg").first).to_be_visible()
