"""The journey: a Manager creates a bounce rule, activity trips it, the evaluation
sends the email and the Slack message (received on loopback), the history shows
them, and "Stop this cadence" confirmed runs a bulk job against the sandbox."""

from __future__ import annotations

import pytest
from django.core import mail
from playwright.sync_api import expect

from prospects.models import BulkJob
from tests.alerts.helpers import engagement
from tests.cadences.conftest import cache_from_sandbox
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser


def test_a_bounce_rule_fires_notifies_and_its_stop_cadence_is_confirmed(
    page, demo_users, sandbox, receiver, settings
):
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    [first] = sandbox.find_prospects(limit=1, cadence_status="In Cadence")
    name = first["cadence"]
    prospects = cache_from_sandbox(sandbox, limit=2, cadence_status="In Cadence", cadence=name)
    sign_in(page, "manager", "klenty-manager")

    page.goto("/alerts/")
    page.get_by_test_id("new-rule").click()
    page.get_by_label("Name", exact=True).fill("Bounces per cadence")
    page.get_by_label("Metric").select_option("bounce_rate")
    page.get_by_label("Scope", exact=True).select_option("each_cadence")
    page.get_by_label("Threshold", exact=True).fill("5")
    page.get_by_label("Window (days)").fill("7")
    page.get_by_label("Fewest prospects added for a rate to count").fill("10")
    page.get_by_label("Email to").fill("sales.lead@northwind.example")
    page.get_by_label("Slack-compatible webhook URL").fill(receiver.url)
    page.get_by_label("Action", exact=True).select_option("stop_cadence")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Saved the rule “Bounces per cadence”.")).to_be_visible()
    expect(page.get_by_test_id("rules")).not_to_contain_text("secretpart1234")

    # The cadence's activity: 9 bounces of 100 prospects added today.
    engagement(name, prospects_added=100, bounces=9)
    page.get_by_test_id("evaluate").click()

    firing = page.get_by_test_id("firing").filter(has_text="Bounces per cadence")
    expect(firing).to_contain_text(f"bounce rate for the cadence “{name}” is 9%")
    expect(firing.get_by_test_id("delivery")).to_have_text(["Sent", "Sent"])
    assert len(receiver.texts) == 1 and "9%" in receiver.texts[0]
    assert [m.to for m in mail.outbox] == [["sales.lead@northwind.example"]]
    assert "/act/" in receiver.texts[0]

    firing.get_by_test_id("propose").click()
    expect(page.get_by_test_id("act")).to_contain_text("its 2 active prospects")
    page.get_by_test_id("confirm-action").click()

    job = BulkJob.objects.get()
    expect(page).to_have_url(f"{page.url.split('/prospects/')[0]}/prospects/jobs/{job.pk}/")
    expect(page.get_by_role("heading", name="Stop cadence")).to_be_visible()
    expect(page.get_by_test_id("job-status")).to_have_text("Done", timeout=20_000)
    expect(page.get_by_test_id("job-done")).to_have_text("2")
    job.refresh_from_db()
    assert job.status == "done"
    for prospect in prospects:
        assert sandbox.prospect(prospect.email)["cadence_status"] != "In Cadence"
    page.goto("/alerts/history/")
    expect(page.get_by_test_id("action-job")).to_contain_text("alert “Bounces per cadence”")
