"""Bulk jobs against a sandbox that fails: 20% of requests answer 5xx and 429s come in bursts.

Every test checks the outcome where it matters, in the sandbox's own state, and reads
the sandbox's request log to prove that no item's write was applied twice.
"""

from __future__ import annotations

import time
from collections import Counter

import pytest

from klentyadmin.integrations.klenty import KlentyClient
from prospects import bulk
from prospects.models import BulkAction, BulkJob, BulkJobItem, Prospect

pytestmark = pytest.mark.django_db

TAGS = ["fault-drill", "q4-push"]
# What each action sends (a fragment of the request path) and what the sandbox shows after.
EXPECTED = {
    BulkAction.START_CADENCE: ("/startcadence", lambda s: s["cadence_status"] == "In Cadence"),
    # Update Prospect; every action has its own prospects, so this counts only its writes.
    BulkAction.ADD_TAGS: ("/prospects/", lambda s: set(TAGS) <= set(s["tags"])),
    BulkAction.MARK_DNC: (
        "/changeStatusToDoNotContact",
        lambda s: s["status"] == "Do Not Contact",
    ),
    BulkAction.STOP_MAILS: ("/stop", lambda s: s["cadence_status"] == "Paused"),
    BulkAction.UNSUBSCRIBE: ("/unsubscribe", lambda s: s["status"] == "Unsubscribed"),
}


@pytest.fixture(autouse=True)
def fast_client(settings):
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    settings.API_BACKOFF_BASE = 0.01
    settings.API_BACKOFF_CAP = 0.05  # a Retry-After of 1 s is "too long": the item is told
    settings.API_MAX_ATTEMPTS = 2


def cache(summaries: list[dict]) -> list[Prospect]:
    """Sandbox prospects copied into the cache, as the sync would."""
    return [
        Prospect.objects.create(
            klenty_id=s["id"],
            email=s["email"],
            owner_email=s["owner"],
            prospect_status=s["status"],
            cadence_status=s["cadence_status"],
            tags=s["tags"],
        )
        for s in summaries
    ]


def run(job_factory, capture) -> BulkJob:
    """Creates a job; django-q2 runs it inline when the transaction commits."""
    with capture(execute=True):
        job = job_factory()
    job.refresh_from_db()
    return job


def retry_until_done(job: BulkJob, capture, rounds: int = 5) -> None:
    """What a manager does with "Retry failed": every failure must say why first."""
    for _ in range(rounds):
        failed = list(job.items.filter(state=BulkJobItem.State.FAILED))
        if not failed:
            return
        assert all(item.message.strip() for item in failed), [i.message for i in failed]
        with capture(execute=True):
            bulk.retry_failed(job)
        job.refresh_from_db()


def wait_for(condition, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def target_of(entry: dict) -> str:
    """The prospect a logged write is about: in the path, or the body's Email."""
    path = entry["path"]
    if "/prospects/" in path:
        return path.split("/prospects/", 1)[1].split("/")[0].lower()
    body = entry["body"] if isinstance(entry["body"], dict) else {}
    return str(body.get("Email", "")).lower()


def applied_writes(sandbox, since: int, fragment: str) -> Counter:
    """Writes the sandbox answered 200 (so applied), per prospect. A faulted request is
    refused before the sandbox looks at it, so it is not counted."""
    return Counter(
        target_of(r)
        for r in sandbox.requests(since)
        if r["method"] == "POST" and fragment in r["path"] and r["status"] == 200
    )


def test_every_action_ends_right_despite_5xx_and_429_bursts(
    manager_user, sandbox, django_capture_on_commit_callbacks
):
    cadence = KlentyClient.from_settings().get_company_cadences()[0].name
    fresh = sandbox.find_prospects(status="Not Contacted", limit=20)
    running = sandbox.find_prospects(cadence_status="In Cadence", limit=5)
    assert len(fresh) == 20 and len(running) == 5
    assert not {p["email"] for p in fresh} & {p["email"] for p in running}
    selections = {
        BulkAction.START_CADENCE: (fresh[0:5], {"cadence_name": cadence}),
        BulkAction.ADD_TAGS: (fresh[5:10], {"tags": TAGS}),
        BulkAction.MARK_DNC: (fresh[10:15], {}),
        BulkAction.UNSUBSCRIBE: (fresh[15:20], {}),
        BulkAction.STOP_MAILS: (running, {}),
    }
    since = sandbox.last_seq()
    sandbox.configure(fault_rate=0.2, fault_status=503)

    jobs = {}
    for action, (summaries, params) in selections.items():
        prospects = cache(summaries)
        fragment = EXPECTED[action][0]
        # A burst of 429s on this action's writes, each asking for a one-second pause.
        sandbox.fail_next(status=429, count=2, retry_after=1, path_contains=fragment)
        job = run(
            lambda action=action, params=params, prospects=prospects: bulk.create_job(
                user=manager_user,
                action=action,
                params=params,
                prospect_ids=[p.pk for p in prospects],
            ),
            django_capture_on_commit_callbacks,
        )
        states = Counter(job.items.values_list("state", flat=True))
        # Each item ended: done, or failed with a reason (checked in retry_until_done).
        assert set(states) <= {BulkJobItem.State.DONE, BulkJobItem.State.FAILED}, states
        # A 429 means "later", not "no": those items waited their turn instead of failing.
        assert not job.items.filter(message__contains="slow down").exclude(state="done").exists()
        retry_until_done(job, django_capture_on_commit_callbacks)
        jobs[action] = job

    sandbox.configure(fault_rate=0)
    log = sandbox.requests(since)
    assert any(r["status"] == 503 for r in log), "no 5xx was injected: the test proves nothing"
    assert sum(r["status"] == 429 for r in log) == 2 * len(selections)
    for action, job in jobs.items():
        fragment, took_effect = EXPECTED[action]
        assert job.status == BulkJob.Status.DONE
        assert Counter(job.items.values_list("state", flat=True)) == {"done": 5}, list(
            job.items.values_list("email", "message")
        )
        emails = [summary["email"].lower() for summary in selections[action][0]]
        for email in emails:
            state = sandbox.prospect(email)
            assert took_effect(state), (action, email, state)
        applied = applied_writes(sandbox, since, fragment)
        assert {email: applied[email] for email in emails} == dict.fromkeys(emails, 1), action


def test_items_failed_by_a_500_say_why_and_a_retry_applies_them_once(
    manager_user, sandbox, django_capture_on_commit_callbacks
):
    prospects = cache(sandbox.find_prospects(status="Not Contacted", limit=4))
    since = sandbox.last_seq()
    # A 500 is not retried by the client: the two first items fail outright.
    sandbox.fail_next(status=500, count=2, path_contains="/unsubscribe")

    job = run(
        lambda: bulk.create_job(
            user=manager_user,
            action=BulkAction.UNSUBSCRIBE,
            params={},
            prospect_ids=[p.pk for p in prospects],
        ),
        django_capture_on_commit_callbacks,
    )

    failed = list(job.items.filter(state=BulkJobItem.State.FAILED))
    assert len(failed) == 2
    assert all("not answering" in item.message for item in failed)
    for item in failed:
        assert sandbox.prospect(item.email)["status"] == "Not Contacted"

    retry_until_done(job, django_capture_on_commit_callbacks)

    assert job.status == BulkJob.Status.DONE
    for prospect in prospects:
        assert sandbox.prospect(prospect.email)["status"] == "Unsubscribed"
    assert applied_writes(sandbox, since, "/unsubscribe") == Counter(
        {p.email.lower(): 1 for p in prospects}
    )


def test_a_write_that_timed_out_but_was_applied_is_not_sent_again_on_retry(
    manager_user, sandbox, settings, django_capture_on_commit_callbacks
):
    """Klenty answered too late: the client gave up, yet the change was made. Retrying
    the failed items must find that out rather than send the write a second time."""
    prospects = cache(sandbox.find_prospects(status="Not Contacted", limit=3))
    cadence = KlentyClient.from_settings().get_company_cadences()[0].name
    since = sandbox.last_seq()
    settings.API_READ_TIMEOUT = 0.3
    sandbox.configure(latency_ms=700)

    job = run(
        lambda: bulk.create_job(
            user=manager_user,
            action=BulkAction.START_CADENCE,
            params={"cadence_name": cadence},
            prospect_ids=[p.pk for p in prospects],
        ),
        django_capture_on_commit_callbacks,
    )

    sandbox.configure(latency_ms=0)
    assert Counter(job.items.values_list("state", flat=True)) == {"failed": 3}
    assert all("did not confirm" in m for m in job.items.values_list("message", flat=True))
    # The sandbox made each change after the client stopped waiting (the last one a
    # moment after the job ended).
    for prospect in prospects:
        wait_for(lambda p=prospect: sandbox.prospect(p.email)["cadence_status"] == "In Cadence")

    retry_until_done(job, django_capture_on_commit_callbacks)

    # Checked, not resent; and said as it is: Klenty shows the state, whoever made it.
    assert Counter(job.items.values_list("state", flat=True)) == {"skipped": 3}
    assert set(job.items.values_list("message", flat=True)) == {
        "Klenty already shows this prospect In Cadence; nothing to start."
    }
    assert applied_writes(sandbox, since, "/startcadence") == Counter(
        {p.email.lower(): 1 for p in prospects}
    )
    for prospect in prospects:
        prospect.refresh_from_db()
        assert prospect.cadence_status == "In Cadence"
