from __future__ import annotations

import pytest
from playwright.sync_api import expect

from klentyadmin.integrations.klenty import KlentyClient
from prospects.models import Prospect, ProspectList
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser


def cache_prospects(sandbox, company_word: str) -> list[Prospect]:
    """A handful of sandbox prospects, cached with their real details, as the sync does."""
    client = KlentyClient.from_settings()
    rows = []
    for summary in sandbox.find_prospects(status="Not Contacted", limit=40):
        details = client.get_prospect(summary["email"])
        rows.append(
            Prospect.objects.create(
                klenty_id=details.id,
                email=details.email,
                first_name=details.first_name,
                last_name=details.last_name,
                full_name=details.full_name,
                company=f"{company_word} {details.company}" if len(rows) < 3 else details.company,
                title=details.title,
                owner_email=details.owner,
                prospect_list=ProspectList.objects.get_or_create(name=details.list_name)[0],
                prospect_status="Not Contacted",
                cadence_status="Not In Cadence",
            )
        )
    return rows[:3]


def test_a_manager_searches_ticks_rows_starts_a_cadence_and_sees_them_in_it(
    page, sandbox, demo_users, settings
):
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    chosen = cache_prospects(sandbox, "Zephyrline")
    cadence = KlentyClient.from_settings().get_company_cadences()[0].name
    sign_in(page, "manager", "klenty-manager")

    page.get_by_role("link", name="Prospects").click()
    expect(page.get_by_test_id("match-count")).to_contain_text("40 prospects match")
    page.get_by_label("Search name, email, company, title or domain").press_sequentially("zephyr")
    expect(page.get_by_test_id("match-count")).to_contain_text("3 prospects match")
    assert "q=zephyr" in page.url  # the URL holds the search

    page.get_by_label("Select all on this page").check()
    page.get_by_label("With", exact=True).select_option(label="Start cadence")
    page.get_by_role("button", name="Continue…").click()

    expect(page.get_by_test_id("bulk-count")).to_have_text("3")
    page.get_by_label("Cadence").select_option(cadence)
    page.get_by_role("button", name="Start").click()

    expect(page.get_by_test_id("job-percent")).to_have_text("100%")
    expect(page.get_by_test_id("job-done")).to_have_text("3")
    expect(page.get_by_test_id("job-status")).to_have_text("Done")

    page.goto("/prospects/?q=zephyr")
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(3)
    for row in rows.all():
        expect(row.locator("td.col-status")).to_have_text("In Cadence")
        expect(row.locator("td.col-cadence")).to_have_text(cadence)
    for prospect in chosen:
        assert sandbox.prospect(prospect.email)["cadence_status"] == "In Cadence"
