"""Report pulls against a failing sandbox, and a worker killed in the middle of one.

The stored history must equal what the sandbox reports — no gap, nothing twice —
once the next scheduled run has had its turn. The sandbox is asked directly (with
its faults off) for what it holds, so the check never trusts our own bookkeeping.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest
from django.db.models import Sum

from klentyadmin.integrations.klenty import KlentyClient
from klentyadmin.integrations.klenty.target import klenty_target
from reporting import pulls
from reporting.models import Call, CallDay, EngagementDay, PullRun, StepRow, StepSnapshot
from tests.fixtures.workers import manage, query, wait_for, worker_environment, worker_running

pytestmark = pytest.mark.django_db

METRICS = {
    "prospects_added": "prospects_added",
    "in_cadence": "in_cadence_count",
    "completed": "prospects_completed",
    "opens": "open_count",
    "clicks": "link_count",
    "replies": "reply_count",
    "unsubscribes": "unsubscribe_count",
    "bounces": "bounce_count",
    "positive": "positive_count",
    "negative": "negative_count",
}


@pytest.fixture
def klenty(sandbox, settings):
    """No rate limit in the sandbox, three attempts per request, short backoffs: a
    Retry-After of one second is longer than the client holds on, so a 429 burst
    ends the request and the rest of the pull waits the second out."""
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    settings.API_MAX_ATTEMPTS = 3
    settings.API_BACKOFF_BASE = 0.01
    settings.API_BACKOFF_CAP = 0.05
    settings.REPORTS_BACKFILL_DAYS = 10
    settings.REPORTS_REFRESH_DAYS = 2
    settings.REPORTS_STEPWISE_DAYS = 30
    sandbox.configure(rate_limit_per_min=0)
    return sandbox


def with_faults(sandbox, fragment: str) -> None:
    sandbox.configure(fault_rate=0.2, fault_status=503)
    sandbox.fail_next(status=429, count=3, retry_after=1, path_contains=fragment)


def until_done(scheduled, kind: str, runs: int = 4) -> list[PullRun]:
    """The schedule, run again until a run ends clean (what the next run is for)."""
    done = []
    for _ in range(runs):
        scheduled()
        run = PullRun.objects.filter(kind=kind).first()
        assert run.status in {PullRun.Status.DONE, PullRun.Status.PARTIAL}, run.errors
        done.append(run)
        if run.status == PullRun.Status.DONE:
            return done
    pytest.fail(f"{kind} still had errors after {runs} runs: {run.errors}")


def faults_seen(sandbox, since: int, fragment: str) -> Counter:
    return Counter(r["status"] for r in sandbox.requests(since) if fragment in r["path"])


def sandbox_engagement(client: KlentyClient, cadence: str, day: date) -> dict[str, int]:
    answer = client.get_email_engagement(cadence, day, day)
    return {ours: getattr(answer, theirs) for ours, theirs in METRICS.items()}


def assert_engagement_matches_the_sandbox(days: int) -> None:
    client = KlentyClient.from_settings()
    cadences = client.get_company_cadences()
    today = pulls.today()
    expected = {(c.name, today - timedelta(days=n)): None for c in cadences for n in range(days)}
    stored = {(r.cadence_name, r.day): r for r in EngagementDay.objects.all()}
    assert set(stored) == set(expected), "gaps or strays in the stored days"
    for (cadence, day), row in stored.items():
        mine = {metric: getattr(row, metric) for metric in METRICS}
        assert mine == sandbox_engagement(client, cadence, day), (cadence, day)


def test_engagement_history_equals_the_sandbox_despite_5xx_and_429_bursts(klenty):
    since = klenty.last_seq()
    with_faults(klenty, "/emailEngagements")

    runs = until_done(pulls.scheduled_engagement, PullRun.Kind.ENGAGEMENT)

    klenty.configure(fault_rate=0)
    seen = faults_seen(klenty, since, "/emailEngagements")
    assert seen[503] and seen[429] == 3, seen
    assert len(runs) >= 2, "the 429 burst should have left days for the next run"
    assert_engagement_matches_the_sandbox(days=10)


def test_stepwise_snapshots_equal_the_sandbox_despite_5xx_and_429_bursts(klenty):
    since = klenty.last_seq()
    with_faults(klenty, "/stepWiseEngagements")

    until_done(pulls.scheduled_stepwise, PullRun.Kind.STEPWISE)

    klenty.configure(fault_rate=0)
    assert faults_seen(klenty, since, "/stepWiseEngagements")[429] == 3
    client = KlentyClient.from_settings()
    cadences = client.get_company_cadences()
    assert StepSnapshot.objects.filter(taken_on=pulls.today()).count() == len(cadences)
    for snapshot in StepSnapshot.objects.all():
        answer = client.get_stepwise_engagement(
            snapshot.cadence_name, snapshot.range_start, snapshot.range_end
        )
        expected = Counter((s.step_number, 0, s.mail_count, s.open_count) for s in answer)
        expected += Counter(
            (s.step_number, o.option, o.mail_count, o.open_count)
            for s in answer
            for o in s.options
            if o.option > 0
        )
        stored = Counter(
            StepRow.objects.filter(snapshot=snapshot).values_list(
                "step_number", "option", "mails", "opens"
            )
        )
        assert stored == expected, snapshot.cadence_name


def sandbox_calls(client: KlentyClient) -> dict[str, tuple]:
    """Every call the sandbox holds in the pulls' window, by callSid."""
    today = pulls.today()
    start, end = today - timedelta(days=29), today + timedelta(days=1)
    calls = {}
    for member in klenty_target().team_emails:
        for call in client.as_user(member).iter_calls(start, end):
            calls[call.call_sid] = (member, call.disposition, call.duration_seconds)
    return calls


def test_calls_equal_the_sandbox_when_a_members_later_page_failed(klenty):
    member = klenty_target().team_emails[1]
    since = klenty.last_seq()
    # The member's first page arrives, the second fails past every retry. Pages come
    # newest first: storing the first alone would move the next run's start to today.
    klenty.fail_next(status=503, count=3, path_contains=f"/user/{member}/calls", after=1)
    pulls.scheduled_calls()
    first = PullRun.objects.get()
    assert first.status == PullRun.Status.PARTIAL and member in first.errors, first.errors

    with_faults(klenty, "/calls")
    until_done(pulls.scheduled_calls, PullRun.Kind.CALLS)

    klenty.configure(fault_rate=0)
    seen = faults_seen(klenty, since, "/calls")
    assert seen[503] > 3 and seen[429] == 3, seen
    expected = sandbox_calls(KlentyClient.from_settings())
    assert len(expected) == klenty.stats()["calls"]
    stored = {
        c.call_sid: (c.username, c.disposition, c.duration_seconds) for c in Call.objects.all()
    }
    assert stored == expected
    # The charts read the daily rollup: it counts every call once.
    assert CallDay.objects.aggregate(n=Sum("calls"))["n"] == len(expected)


# -- a real worker, killed mid-pull ---------------------------------------------
# tests/faults/test_background_faults.py runs this drill with every other kind's.

BACKFILL_DAYS = 10
REFRESH_DAYS = 2
LONG_AGO = "2000-01-01 00:00:00"
# What the schedules put on the queue when they are due. django-q2's scheduler looks
# only every 30 s; the drill queues the same tasks itself instead of waiting for it.
SCHEDULE_COMES_DUE = (
    "from django_q.tasks import async_task; async_task('reporting.pulls.scheduled_engagement')"
)
RESUME_STALLED = (
    "from django_q.tasks import async_task; "
    "async_task('klentyadmin.core.background.resume_stalled')"
)


def stored_days(db) -> set[tuple[str, str]]:
    return set(query(db, "SELECT cadence_name, day FROM reporting_engagementday"))


def run_status(db, run_id: int) -> str:
    return query(db, "SELECT status FROM reporting_pullrun WHERE id = ?", run_id)[0][0]


def engagement_pull_drill(sandbox, tmp_path, settings) -> None:
    """A scheduled engagement backfill; the worker dies a quarter of the way through,
    and the one resume schedule has a new worker finish the same run."""
    db, log = tmp_path / "db.sqlite3", tmp_path / "qcluster.log"
    env = worker_environment(
        sandbox,
        tmp_path,
        REPORTS_BACKFILL_DAYS=str(BACKFILL_DAYS),
        REPORTS_REFRESH_DAYS=str(REFRESH_DAYS),
        KLENTY_RATE_LIMIT_PER_MIN="1200",
    )
    # No schedule may fire: the worker's one job is what the drill queues.
    query(db, "DELETE FROM django_q_schedule")
    # ~15 requests a second, so the pull takes several seconds. The checks below ask
    # the sandbox from this process, unhindered by either rate limit.
    sandbox.configure(latency_ms=40, rate_limit_per_min=0)
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    total = len(KlentyClient.from_settings().get_company_cadences()) * BACKFILL_DAYS

    manage(env, "shell", "-c", SCHEDULE_COMES_DUE)
    with worker_running(env, log):
        wait_for(lambda: len(stored_days(db)) >= total // 4, 60, "the first days to be stored")
    at_kill = stored_days(db)
    killed_at = sandbox.last_seq()
    [(run_id, status)] = query(db, "SELECT id, status FROM reporting_pullrun")
    assert status == "running" and len(at_kill) < total, "the pull ended before the kill"

    # Time passes (the dead worker's lease lapses) and the resume schedule comes due.
    query(db, "UPDATE reporting_pullrun SET lease_until = ?", LONG_AGO)
    manage(env, "shell", "-c", RESUME_STALLED)
    with worker_running(env, log):
        wait_for(lambda: run_status(db, run_id) != "running", 60, "the run to be finished")
    finished_at = sandbox.last_seq()

    sandbox.configure(latency_ms=0)
    [(status, errors, error)] = query(
        db, "SELECT status, errors, error FROM reporting_pullrun WHERE id = ?", run_id
    )
    assert status == "done", errors + error + log.read_text()[-3000:]
    client = KlentyClient.from_settings()
    columns = ", ".join(METRICS)
    rows = query(db, f"SELECT cadence_name, day, {columns} FROM reporting_engagementday")
    assert len(rows) == total
    for cadence, day, *values in rows:
        expected = sandbox_engagement(client, cadence, date.fromisoformat(day))
        assert dict(zip(METRICS, values, strict=True)) == expected, (cadence, day)
    # The same run went on where it stopped: it asked only for the days still missing,
    # each once (the one in flight at the kill was not stored, so it is among them).
    asked_again = [
        (r["body"]["cadenceName"], r["body"]["startDate"])
        for r in sandbox.requests(killed_at)
        if r["path"].endswith("/emailEngagements") and r["seq"] <= finished_at
    ]
    refetched = [k for k in asked_again if k in at_kill]
    assert not refetched, f"days stored before the kill were fetched again: {refetched[:5]}"
    assert set(asked_again) | at_kill == stored_days(db)
    assert max(Counter(asked_again).values()) == 1
