""" "Retry failed" sends again what Klenty refused, and checks first only what may have
gone through (the answer was lost), against the sandbox's state and request log."""

from __future__ import annotations

from collections import Counter

import pytest
from django.urls import reverse

from klentyadmin.core.once import new_key
from klentyadmin.integrations.klenty import KlentyClient
from prospects.models import BulkJob, BulkJobItem
from tests.prospects.test_bulk import (
    cache,
    fast_client,  # noqa: F401  (autouse: applies here too)
    first_cadence,
)

IN_CADENCE_NOTHING_TO_START = "Klenty already shows this prospect In Cadence; nothing to start."


@pytest.fixture
def post_and_run(django_capture_on_commit_callbacks):
    """Posts a form with a fresh one-time key; the job runs when the request commits."""

    def post(client, url: str, data: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(url, {**(data or {}), "once_key": new_key()})
        assert response.status_code == 302, response.content.decode()[:2000]
        return response

    return post


def writes_to(sandbox, since: int, path_end: str) -> Counter:
    return Counter(
        r["body"]["Email"].lower()
        for r in sandbox.requests(since)
        if r["method"] == "POST" and r["path"].endswith(path_end)
    )


def states(job: BulkJob) -> Counter:
    return Counter(job.items.values_list("state", flat=True))


def test_retrying_a_resume_klenty_refused_sends_it_again_and_fails_again(
    manager_client, sandbox, post_and_run
):
    # In a cadence but not paused: Klenty refuses "Resume cadence" for each of them.
    prospects = cache(sandbox, 3, cadence_status="In Cadence")
    emails = sorted(p.email for p in prospects)
    bulk_data = {
        "action": "resume_cadence",
        "scope": "selected",
        "prospect_ids": [p.pk for p in prospects],
    }
    post_and_run(manager_client, reverse("prospects:bulk_start"), bulk_data)
    job = BulkJob.objects.get()
    assert states(job) == {"failed": 3}
    assert all("no paused cadence" in m for m in job.items.values_list("message", flat=True))
    since = sandbox.last_seq()

    post_and_run(manager_client, reverse("prospects:job_retry", args=[job.pk]))

    # Sent again, one each, and refused again: nothing was applied by any attempt.
    assert sorted(writes_to(sandbox, since, "/cadences/resume").elements()) == emails
    job.refresh_from_db()
    assert job.status == BulkJob.Status.DONE
    assert states(job) == {"failed": 3}
    assert not job.items.filter(message__icontains="already applied").exists()
    page = manager_client.get(reverse("prospects:job", args=[job.pk])).content.decode()
    assert 'data-testid="job-done">0<' in page
    assert 'data-testid="job-failed">3<' in page
    assert "Retry 3 failed" in page


def test_an_item_whose_answer_was_lost_is_checked_and_skipped_if_it_already_holds(
    manager_client, sandbox, post_and_run, settings
):
    prospects = cache(sandbox, 2, status="Not Contacted")
    cadence = first_cadence()
    settings.API_MAX_ATTEMPTS = 1
    # A 502 after sending: whether Klenty made the change is unknown.
    sandbox.fail_next(status=502, count=2, path_contains="/startcadence")
    bulk_data = {
        "action": "start_cadence",
        "scope": "selected",
        "prospect_ids": [p.pk for p in prospects],
        "cadence_name": cadence,
    }
    post_and_run(manager_client, reverse("prospects:bulk_start"), bulk_data)
    job = BulkJob.objects.get()
    assert states(job) == {"failed": 2}
    assert all(job.items.values_list("outcome_unknown", flat=True))
    # Meanwhile the first is in the cadence (here: someone started it in Klenty).
    held, missing = job.items.order_by("pk")
    KlentyClient.from_settings().start_cadence(held.email, cadence)
    since = sandbox.last_seq()

    post_and_run(manager_client, reverse("prospects:job_retry", args=[job.pk]))

    assert writes_to(sandbox, since, "/startcadence") == {missing.email: 1}
    held.refresh_from_db()
    missing.refresh_from_db()
    assert (held.state, held.message) == (BulkJobItem.State.SKIPPED, IN_CADENCE_NOTHING_TO_START)
    assert (missing.state, missing.message) == (BulkJobItem.State.DONE, "")
    assert not held.outcome_unknown and not missing.outcome_unknown
    assert held.prospect.cadence_status == "In Cadence"
