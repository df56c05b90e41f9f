"""A manager opens the reports, changes the date range and downloads a chart's CSV."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from playwright.sync_api import expect

from reporting.models import Call, EngagementDay
from reporting.rollups import rebuild_all
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def recent_reports(transactional_db):
    """Forty days of engagement and calls up to today (the live server's real clock)."""
    today = date.today()
    EngagementDay.objects.bulk_create(
        EngagementDay(
            cadence_name=name,
            day=today - timedelta(days=n),
            opens=10 + n % 7,
            clicks=3,
            replies=1 + n % 3,
            prospects_added=5,
        )
        for name in ("Alpha", "Beta")
        for n in range(40)
    )
    Call.objects.bulk_create(
        Call(
            call_sid=f"CA{n}",
            username="priya.natarajan@northwind.example",
            called_on=today - timedelta(days=n % 40),
            created_at=datetime.combine(today, datetime.min.time(), UTC),
            disposition=("CONNECTED", "NOT_ANSWERED", "VOICE_MAIL")[n % 3],
            duration_seconds=n * 7,
        )
        for n in range(200)
    )
    rebuild_all()
    return today


def test_reports_update_when_the_range_changes_and_a_csv_downloads(
    page, demo_users, recent_reports
):
    today = recent_reports
    sign_in(page, "manager", "klenty-manager")
    page.get_by_role("link", name="Reports").click()

    expect(page.get_by_role("heading", name="Reports", level=1)).to_be_visible()
    charts = page.get_by_test_id("charts")
    thirty = f"{today - timedelta(days=29):%Y-%m-%d}..{today:%Y-%m-%d}"
    expect(charts).to_have_attribute("data-range", thirty)
    expect(page.locator("#chart-engagement .plot[data-drawn] .main-svg").first).to_be_visible()
    expect(page.locator("#chart-calls_daily .plot[data-drawn]")).to_be_visible()

    page.get_by_test_id("range").select_option("7")

    seven = f"{today - timedelta(days=6):%Y-%m-%d}..{today:%Y-%m-%d}"
    expect(charts).to_have_attribute("data-range", seven)
    expect(page).to_have_url(re.compile(r"/reports/\?range=7"))
    expect(page.locator("#chart-engagement .plot[data-drawn] .main-svg").first).to_be_visible()
    expect(page.locator("#f-start")).to_have_value(f"{today - timedelta(days=6):%Y-%m-%d}")
    expect(page.get_by_test_id("kpi-calls")).to_have_text(
        str(Call.objects.filter(called_on__gt=today - timedelta(days=7)).count())
    )

    # Sorting the comparison table swaps only the table, and keeps the range.
    page.locator("#section-cadences th a").first.click()
    expect(page).to_have_url(re.compile(r"/reports/\?range=7&sort=cadence$"))
    expect(page.locator("#section-cadences tbody tr").first).to_contain_text("Alpha")
    expect(charts).to_have_attribute("data-range", seven)

    with page.expect_download() as download_info:
        page.get_by_test_id("csv-calls_daily").click()
    download = download_info.value
    assert download.suggested_filename.startswith("calls_daily-")
    lines = open(download.path(), encoding="utf-8").read().splitlines()
    assert lines[0] == "day,disposition,calls"
    assert len(lines) > 1
    assert all(line[:10] >= f"{today - timedelta(days=6):%Y-%m-%d}" for line in lines[1:])


def test_a_typed_from_date_is_sent_once_whole_never_half_typed(page, demo_users, recent_reports):
    today = recent_reports
    sign_in(page, "manager", "klenty-manager")
    page.get_by_role("link", name="Reports").click()
    expect(page.locator("#chart-engagement .plot[data-drawn] .main-svg").first).to_be_visible()
    with page.expect_response(re.compile(r"/reports/\?")):  # Custom shows the dates as they are
        page.get_by_test_id("range").select_option("custom")
    starts: list[str] = []
    page.on(
        "request",
        lambda request: starts.extend(re.findall(r"[?&]start=([^&]*)", request.url)),
    )

    page.locator("#f-start").focus()
    page.locator("#f-start").press_sequentially("08012026", delay=50)
    page.wait_for_timeout(300)  # had a keystroke sent a request, it would have gone by now
    assert starts == []
    page.locator("#f-end").focus()  # leaving From applies it

    charts = page.get_by_test_id("charts")
    expect(charts).to_have_attribute("data-range", f"2026-08-01..{today:%Y-%m-%d}")
    expect(page.locator("#f-start")).to_have_value("2026-08-01")
    assert starts and set(starts) == {"2026-08-01"}
    expect(page).to_have_url(re.compile(r"range=custom&start=2026-08-01"))
    expect(page.get_by_test_id("email-me")).to_have_attribute(
        "href", re.compile(r"filters=range%3Dcustom%26start%3D2026-08-01")
    )
