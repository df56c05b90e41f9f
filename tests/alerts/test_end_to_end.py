"""The sandbox's own activity trips a rule: prospects started in a cadence today, one
of them bounces, the engagement pull stores the day, and the evaluation it queues
opens the firing and sends the message."""

from __future__ import annotations

import pytest

from alerts.models import AlertFiring
from klentyadmin.integrations.klenty import KlentyClient
from reporting import pulls
from reporting.models import PullRun
from tests.alerts.helpers import bounce, rule

pytestmark = pytest.mark.usefixtures("no_builtins")


def test_a_bounce_in_the_sandbox_trips_the_rule_after_the_pull(
    sandbox, settings, receiver, django_capture_on_commit_callbacks
):
    settings.REPORTS_BACKFILL_DAYS = 1
    sandbox.configure(rate_limit_per_min=0)
    fresh = sandbox.find_prospects(limit=4, status="Not Contacted")
    cadence = sandbox.find_prospects(limit=1, cadence_status="In Cadence")[0]["cadence"]
    client = KlentyClient.from_settings()
    for prospect in fresh:
        client.start_cadence(prospect["email"], cadence)
    for prospect in fresh[:3]:
        bounce(sandbox, prospect["email"])
    r = rule(name="Bounces", scope="each_cadence", threshold=5, window_days=1)
    r.set_slack_url(receiver.url)
    r.save()

    with django_capture_on_commit_callbacks(execute=True):
        pulls.run_pull(PullRun.Kind.ENGAGEMENT)

    firing = AlertFiring.objects.get(rule=r, subject=cadence)
    assert firing.value >= 5
    # One message about this cadence (the sandbox's other cadences bounce today too).
    assert len([t for t in receiver.texts if f"“{cadence}”" in t]) == 1
