"""A manager opens Duplicates, merges a pair choosing a value from each side, watches
the job finish and finds the values on the prospect."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from dedupe.finding import look_for_duplicates
from dedupe.merging import MERGED_TAG
from klentyadmin.integrations.klenty import KlentyClient, ProspectFields
from prospects.editing import refresh_prospect
from prospects.models import Prospect
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser

PRIYA = "priya.natarajan@northwind.example"


def in_klenty(email: str, **fields) -> Prospect:
    client = KlentyClient.from_settings()
    client.create_prospect(ProspectFields(email=email, owner=PRIYA, **fields))
    return refresh_prospect(client, Prospect.objects.create(email=email, owner_email=PRIYA))


def test_a_manager_merges_a_pair_choosing_from_each_side(page, sandbox, demo_users, settings):
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    kept = in_klenty("nina.park@gmail.com", first_name="Nina", last_name="Park", title="CTO")
    other = in_klenty(
        "ninapark+events@gmail.com", first_name="Nina", last_name="Parker", title="VP", city="Oslo"
    )
    look_for_duplicates()
    sign_in(page, "manager", "klenty-manager")

    page.get_by_role("link", name="Duplicates", exact=True).click()
    pair = page.get_by_test_id("pairs").locator("tbody tr")
    expect(pair).to_have_count(1)
    expect(pair).to_contain_text("The same Gmail address, ignoring dots and + tags")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
    pair.get_by_role("link", name="Compare and merge").click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280

    form = page.get_by_test_id("merge-form")
    form.locator('tr[data-field="title"]').get_by_label("CTO").check()  # from the kept side
    form.locator('tr[data-field="last_name"]').get_by_label("Parker").check()  # from the other
    form.locator('tr[data-field="city"]').get_by_label("Oslo").check()  # only the other has one
    form.get_by_role("button", name="Merge").click()

    expect(page.get_by_test_id("job-status")).to_have_text("Done")
    expect(page.get_by_test_id("job-done")).to_have_text("1")
    page.goto(f"/prospects/{kept.pk}/")
    expect(page.locator("body")).to_contain_text("Parker")
    expect(page.locator("body")).to_contain_text("Oslo")
    expect(page.locator("body")).to_contain_text("CTO")
    remote = sandbox.prospect(kept.email)["fields"]
    assert (remote["LastName"], remote["City"], remote["Title"]) == ("Parker", "Oslo", "CTO")
    assert MERGED_TAG in sandbox.prospect(other.email)["tags"]

    page.get_by_role("link", name="Duplicates", exact=True).click()
    expect(page.get_by_test_id("pairs")).to_contain_text("No likely duplicates.")
