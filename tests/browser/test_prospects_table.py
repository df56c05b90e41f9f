"""The prospects table at 1400×900 and 1280 px, as a Manager: one line a prospect, at
least 15 rows above the fold, nothing wider than the window, a header click sorts,
the page size changes, and the chosen columns are still there after a reload."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from prospects.models import Prospect, ProspectList
from tests.browser.test_home_failures import WIDER_THAN_THE_WINDOW
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser

ROWS_ABOVE_THE_FOLD = """() => [...document.querySelectorAll("table.results tbody tr")]
    .filter((row) => row.getBoundingClientRect().bottom <= window.innerHeight).length"""
# The tallest row, and the height of one line of the table's text.
ROW_HEIGHTS = """() => {
    const rows = [...document.querySelectorAll("table.results tbody tr")];
    const cell = document.querySelector("table.results tbody td");
    return [Math.max(...rows.map((r) => r.getBoundingClientRect().height)),
            parseFloat(getComputedStyle(cell).lineHeight)];
}"""
COMPANIES = """() => [...document.querySelectorAll("table.results tbody td.col-company")]
    .map((td) => td.textContent)"""


@pytest.fixture
def long_prospects(transactional_db):
    """120 prospects with names, titles, tags and lists long enough to wrap a cell."""
    lists = [ProspectList.objects.create(name=f"Autumn conference leads {n}") for n in range(3)]
    for n in range(120):
        Prospect.objects.create(
            email=f"alexandra.konstantinopoulou.{n:03}@very-long-company-domain.example",
            full_name=f"Alexandra Konstantinopoulou-Whitfield {n:03}",
            company=f"{chr(65 + n % 26)} Intercontinental Widget Manufacturing Group",
            title="Senior Vice President of Strategic Procurement and Supplier Relations",
            tags=["webinar-attendee", "enterprise-tier", "q4-priority", "do-follow-up"],
            prospect_list=lists[n % 3],
            owner_email="morgan.hale@northwind.example",
            prospect_status="In Cadence",
            cadence_status="In Cadence",
            cadence_name="Q4 Enterprise Outbound" if n % 2 else "",
            created_on=date(2026, 1, 1) + timedelta(days=n),
        )


def test_the_table_is_dense_sorts_pages_and_keeps_its_columns(page, demo_users, long_prospects):
    page.set_viewport_size({"width": 1400, "height": 900})
    sign_in(page, "manager", "klenty-manager")
    page.goto("/prospects/")
    expect(page.get_by_test_id("match-count")).to_contain_text("120 prospects match")

    page.screenshot(path="/tmp/prospects-table-1400.png")
    assert page.evaluate(ROWS_ABOVE_THE_FOLD) >= 15
    tallest, line = page.evaluate(ROW_HEIGHTS)
    assert tallest < 2 * line  # one line a prospect: long cells are cut, not wrapped
    assert page.evaluate("document.documentElement.scrollWidth") <= 1400
    cut = page.locator("td.col-title").first
    assert cut.get_attribute("title").startswith("Senior Vice President of Strategic")

    page.set_viewport_size({"width": 1280, "height": 900})
    tallest, line = page.evaluate(ROW_HEIGHTS)
    assert tallest < 2 * line
    assert page.evaluate(WIDER_THAN_THE_WINDOW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    page.screenshot(path="/tmp/prospects-table-1280.png")

    # A header click sorts, and a second one turns the order round.
    company = page.locator("th.col-company a.sort")
    company.click()
    expect(page.locator("th.col-company")).to_have_attribute("aria-sort", "ascending")
    assert "sort=company" in page.url
    assert page.evaluate(COMPANIES)[0].startswith("A ")
    company = page.locator("th.col-company a.sort")
    company.click()
    expect(page.locator("th.col-company")).to_have_attribute("aria-sort", "descending")
    expect(page.locator("th.col-company .arrow")).to_have_text("▼")
    assert "sort=-company" in page.url
    assert page.evaluate(COMPANIES)[0].startswith("Z ")

    # Typing searches as before, and keeps the sort.
    page.get_by_label("Search name, email, company, title or domain").press_sequentially("inter")
    expect(page.get_by_test_id("match-count")).to_contain_text("showing 1–50")
    page.wait_for_url("**q=inter**")
    assert "sort=-company" in page.url
    assert page.evaluate(COMPANIES)[0].startswith("Z ")
    expect(page.locator("td.col-company mark").first).to_have_text("Inter")

    # The page size.
    page.get_by_test_id("page-size").select_option("100")
    expect(page.locator("table.results tbody tr")).to_have_count(100)
    assert "per_page=100" in page.url and "sort=-company" in page.url

    # The column chooser: Title out, Created in, still so after a reload.
    page.get_by_test_id("column-chooser").locator("summary").click()
    page.get_by_label("Title", exact=True).uncheck()
    page.get_by_label("Created", exact=True).check()
    page.get_by_role("button", name="Save columns").click()
    expect(page.locator("th.col-created")).to_be_visible()
    expect(page.locator("th.col-title")).to_have_count(0)
    assert "per_page=100" in page.url  # back to the same search
    page.reload()
    expect(page.locator("th.col-created")).to_be_visible()
    expect(page.locator("th.col-title")).to_have_count(0)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
