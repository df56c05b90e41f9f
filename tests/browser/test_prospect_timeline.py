"""A manager reads a prospect's timeline: a webhook event, a bulk action run from the
search page and an edit made in the form, newest first, in words."""

from __future__ import annotations

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from cadences.models import Event
from tests.browser.test_prospects_journey import cache_prospects
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser


def test_the_timeline_shows_an_event_a_bulk_action_and_an_edit_in_words(
    page, sandbox, demo_users, settings
):
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    prospect = cache_prospects(sandbox, "Quillmoor")[0]
    old_title = prospect.title
    # Klenty's webhook delivery, as the receiver stores it.
    Event.objects.create(
        identity="timeline-journey",
        raw_body="{}",
        event_type="reply",
        email=prospect.email,
        prospect=prospect,
        prospect_owner=prospect.owner_email,
        cadence_name="Autumn Outreach",
    )
    sign_in(page, "manager", "klenty-manager")

    # A bulk action from the search page.
    page.goto(f"/prospects/?q={prospect.email}")
    expect(page.get_by_test_id("match-count")).to_contain_text("1 prospect matches")
    page.get_by_label("Select all on this page").check()
    page.get_by_label("With", exact=True).select_option(label="Add tags")
    page.get_by_role("button", name="Continue…").click()
    page.get_by_label("Tags").fill("timeline-journey")
    page.get_by_role("button", name="Start").click()
    expect(page.get_by_test_id("job-status")).to_have_text("Done")

    # An edit in the form.
    page.goto(reverse("prospects:detail", args=[prospect.pk]))
    page.get_by_role("link", name="Edit", exact=True).click()
    page.get_by_label("Title", exact=True).fill("Chief Timeline Officer")
    page.get_by_role("button", name="Save to Klenty").click()
    expect(page.get_by_text(f"{prospect.email} was saved in Klenty.")).to_be_visible()

    timeline = page.get_by_test_id("timeline")
    entries = timeline.get_by_test_id("timeline-entry")
    expect(entries).to_have_count(4)  # the edit, the bulk action and what it changed, the event
    expect(entries.nth(0)).to_contain_text("Morgan Hale")
    edited = entries.nth(0)
    expect(edited).to_contain_text("Edited")
    expect(edited.get_by_test_id("changes")).to_contain_text(
        f"Title{old_title or '(empty)'} → Chief Timeline Officer"
    )
    expect(timeline).to_contain_text("Changed by the bulk action “Add tags”")
    expect(timeline).to_contain_text("Bulk action: Add tags")
    expect(entries.nth(3)).to_contain_text("Replied")
    expect(entries.nth(3)).to_contain_text("Autumn Outreach")
    expect(timeline).not_to_contain_text("reply")


def test_a_long_message_in_the_timeline_wraps_within_1280_px(page, demo_users):
    from klentyadmin.accounts.models import User
    from prospects.models import BulkAction, BulkJob, BulkJobItem, Prospect

    prospect = Prospect.objects.create(email="long@wrap.example", owner_email="x@wrap.example")
    job = BulkJob.objects.create(
        action=BulkAction.ADD_TAGS, created_by=User.objects.get(username="manager"), total=1
    )
    BulkJobItem.objects.create(
        job=job, prospect=prospect, email=prospect.email, state="failed", message="x" * 600
    )
    sign_in(page, "manager", "klenty-manager")

    page.goto(reverse("prospects:detail", args=[prospect.pk]))

    expect(page.get_by_test_id("timeline")).to_contain_text("Bulk action: Add tags")
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
