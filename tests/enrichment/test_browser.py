"""A manager goes from a company domain to prospects in a Klenty cadence."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from klentyadmin.integrations.klenty import KlentyClient
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser


def test_domain_to_cadence_in_the_browser(page, snov_sandbox, demo_users):
    cadence = KlentyClient.from_settings().get_company_cadences()[0].name
    sign_in(page, "manager", "klenty-manager")

    page.get_by_role("link", name="Enrichment").click()
    page.get_by_label("Company domain").fill("brightforge.example")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_test_id("company-card")).to_contain_text("BrightForge")
    expect(page.get_by_test_id("balance")).to_contain_text("499 credits")

    for row in range(4):
        page.locator("input[name=prospect]").nth(row).check()
    page.get_by_role("button", name="Find emails").click()
    found = page.get_by_test_id("found-emails")
    expect(found).to_contain_text("Emails found")
    page.get_by_role("button", name="Verify emails").click()
    verified = page.get_by_test_id("verified-emails")
    expect(verified).to_contain_text("Send to Klenty")
    emails = [
        v.split("|")[0]
        for v in verified.locator("input[name=row]:checked").evaluate_all(
            "els => els.map(e => e.value)"
        )
    ]
    assert emails
    page.get_by_label("Cadence (optional)").select_option(cadence)
    page.get_by_role("button", name="Send to Klenty").click()

    page.wait_for_url("**/prospects/jobs/**")
    expect(page.get_by_test_id("job-percent")).to_have_text("100%")
    for email in emails:
        assert cadence in str(snov_sandbox.prospect(email))
