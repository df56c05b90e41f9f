"""The journey: a Manager sets a goal and sees its pacing, creates a bounce rule, the sandbox's activity trips it, the evaluation
sends the email and the Slack message (received on loopback), the history shows
them, and "Stop this cadence" confirmed runs a bulk job against the sandbox."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from klentyadmin.integrations.klenty import KlentyClient
from prospects.models import BulkJob
from reporting import pulls
from reporting.models import PullRun
from tests.alerts.helpers import bounce
from tests.cadences.conftest import cache_from_sandbox
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser
PRIYA = "priya.natarajan@northwind.example"


def test_a_goal_paces_and_a_bounce_rule_fires_notifies_and_its_stop_cadence_is_confirmed(
    page, demo_users, sandbox, receiver, settings
):
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    sandbox.configure(rate_limit_per_min=0)
    [first] = sandbox.find_prospects(limit=1, cadence_status="In Cadence")
    name = first["cadence"]
    prospects = cache_from_sandbox(sandbox, limit=2, cadence_status="In Cadence", cadence=name)
    sign_in(page, "manager", "klenty-manager")

    # The morning: a goal for a rep this month, and its pacing on the scorecards.
    page.goto("/reports/scorecards/?period=month")
    form = page.get_by_test_id("goal-form")
    form.get_by_label("Team member").select_option(PRIYA)
    form.get_by_label("Period", exact=True).select_option("month")
    form.get_by_label("Period containing").fill(pulls.today().isoformat())
    form.get_by_label("Meetings").fill("4")
    with page.expect_navigation():
        form.get_by_role("button", name="Save goals").click()
    pace = page.get_by_test_id(f"pace-{PRIYA}-meetings")
    expect(pace).to_contain_text("4")
    expect(pace.get_by_test_id("pace-status")).to_have_text(re.compile("^(behind|on track|ahead)$"))

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

    # The sandbox's activity: four prospects start the cadence today, three bounce;
    # the engagement pull stores the day and queues the evaluation.
    fresh = sandbox.find_prospects(limit=4, status="Not Contacted")
    client = KlentyClient.from_settings()
    for prospect in fresh:
        client.start_cadence(prospect["email"], name)
    for prospect in fresh[:3]:
        bounce(sandbox, prospect["email"])
    settings.REPORTS_BACKFILL_DAYS = 1
    pulls.run_pull(PullRun.Kind.ENGAGEMENT)
    page.get_by_test_id("evaluate").click()  # again, by hand: nothing new is sent

    about = f"the cadence “{name}”"
    # The built-in bounce rules fire beside it, each a card of its own.
    firing = page.get_by_test_id("firing").filter(
        has_text=f"Bounces per cadence: bounce rate for {about} is"
    )
    expect(firing).to_be_visible()
    expect(firing.get_by_test_id("delivery")).to_have_text(["Sent", "Sent"])
    ours = [t for t in receiver.texts if about in t]
    assert len(ours) == 1 and "/act/" in ours[0]
    assert len([m for m in mail.outbox if about in m.subject]) == 1
    assert {tuple(m.to) for m in mail.outbox} == {("sales.lead@northwind.example",)}

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
