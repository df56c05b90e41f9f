"""In the browser: a Manager saves a view and shares it; a Rep opens it from its link."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from prospects.models import Prospect
from saved_views.models import SavedView
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser


def cache(email: str, owner: str, status: str) -> None:
    name = email.split("@")[0].title()
    Prospect.objects.create(
        email=email, full_name=name, owner_email=owner, prospect_status=status, company="Acme"
    )


def test_a_manager_shares_a_view_and_a_rep_opens_it_with_only_their_rows(
    page, demo_users, sandbox, settings
):
    priya, diego = settings.DEMO_REP_KLENTY_EMAIL, "diego.alvarez@northwind.example"
    for n in range(3):
        cache(f"priya{n}@replied.example", priya, "Replied")
    for n in range(2):
        cache(f"diego{n}@replied.example", diego, "Replied")
    cache("priya@bounced.example", priya, "Bounced")

    sign_in(page, "manager", "klenty-manager")
    page.get_by_role("link", name="Prospects", exact=True).click()
    page.get_by_label("Prospect status").select_option("Replied")
    expect(page.get_by_test_id("match-count")).to_contain_text("5 prospects match")
    page.get_by_label("Save this view as").fill("Team replies")
    page.get_by_role("button", name="Save this view").click()

    expect(page.get_by_test_id("view-visibility")).to_have_text("Private view")
    expect(page.get_by_test_id("match-count")).to_contain_text("5 prospects match")
    view_url = page.url
    assert re.search(r"/views/\d+/$", view_url)

    page.get_by_role("link", name="All views").click()
    page.get_by_role("button", name="Share with the team").click()
    expect(page.locator("#messages")).to_contain_text("“Team replies” is shared with the team")
    assert SavedView.objects.get().is_shared

    page.get_by_role("button", name="Log out").click()
    sign_in(page, "rep", "klenty-rep")
    page.goto(view_url)

    expect(page.get_by_test_id("view-visibility")).to_have_text("Shared with the team")
    expect(page.get_by_test_id("view-whose")).to_have_text("by Morgan Hale")
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(3)
    for row in rows.all():
        expect(row).to_contain_text("@replied.example")
        expect(row).to_contain_text(priya)
    expect(page.locator("table.results")).not_to_contain_text("diego")

    # Pinned, it shows in the menu with the Rep's own count.
    page.get_by_role("link", name="Views", exact=True).click()
    page.get_by_role("button", name="Pin to the menu").click()
    pinned = page.get_by_test_id("pinned-views")
    expect(pinned.get_by_test_id("pinned-count")).to_have_text("3")
    pinned.get_by_role("link", name=re.compile("Team replies")).click()
    expect(page.get_by_test_id("view-visibility")).to_have_text("Shared with the team")
