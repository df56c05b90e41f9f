"""A manager makes a Snov.io list, fills it from a domain search, opens it and sends
it to Klenty, in the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser


def fits_1280(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280, f"{page.url} is {width} px wide"


def test_a_snov_list_from_search_results_into_klenty(page, snov_sandbox, demo_users):
    sign_in(page, "manager", "klenty-manager")

    page.get_by_role("link", name="Enrichment").click()
    page.get_by_role("link", name="Lists").click()
    page.get_by_label("New list name").fill("Brightforge leads")
    page.get_by_role("button", name="Create list").click()
    expect(page.get_by_role("heading", name="Brightforge leads")).to_be_visible()
    fits_1280(page)

    page.get_by_role("link", name="← Snov.io lists").click()
    page.get_by_role("link", name="Domain search").click()
    page.get_by_label("Company domain").fill("brightforge.example")
    expect(page.get_by_test_id("email-count")).to_contain_text("Snov.io holds")
    expect(page.get_by_test_id("search-cost")).to_contain_text("1 credit")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("company-card")).to_contain_text("BrightForge")
    # The live progress ends with the search's figures.
    expect(page.get_by_test_id("search-progress")).to_contain_text("Done:")
    expect(page.get_by_test_id("search-progress")).to_contain_text("1 credit spent")
    fits_1280(page)
    for row in range(3):
        page.locator("input[name=prospect]").nth(row).check()
    page.get_by_role("button", name="Find emails").click()
    expect(page.get_by_test_id("found-emails")).to_contain_text("Emails found")
    page.get_by_role("button", name="Verify emails").click()
    verified = page.get_by_test_id("verified-emails")
    expect(verified).to_contain_text("Add to a Snov.io list")
    verified.locator("input[name=row]").evaluate_all("els => els.forEach(e => e.checked = true)")
    emails = [
        v.split("|")[0]
        for v in verified.locator("input[name=row]").evaluate_all("els => els.map(e => e.value)")
    ]
    page.get_by_label("Snov.io list").select_option(label="Brightforge leads")
    page.get_by_role("button", name="Add to Snov.io list").click()
    expect(page.get_by_test_id("list-added")).to_contain_text(
        f"{len(emails)} prospect{'s' if len(emails) != 1 else ''} added"
    )

    page.get_by_role("link", name="Open the list").click()
    expect(page.get_by_test_id("list-prospects")).to_contain_text(emails[0])
    page.get_by_role("link", name="Details").first.click()
    expect(page.locator("#list-prospect")).to_contain_text("Brightforge leads")
    fits_1280(page)
    page.get_by_label("Klenty list").fill("Snov.io Brightforge")
    page.get_by_role("button", name="Send to Klenty").click()

    page.wait_for_url("**/prospects/jobs/**")
    expect(page.get_by_test_id("job-percent")).to_have_text("100%")
    for email in emails:
        assert snov_sandbox.prospect(email)["list"] == "Snov.io Brightforge"

    for path in ("/enrichment/lists/", "/enrichment/do-not-email/", "/enrichment/finder/"):
        page.goto(path)
        fits_1280(page)
