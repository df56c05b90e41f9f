"""Fault drills for the kinds whose outcome is not items written to the sandbox:
report emails and cadence refreshes, each with a real worker SIGKILLed mid-run, then
restarted: nothing lost, nothing sent twice. tests/faults/test_background_faults.py
runs them with every other kind's scenario.

Each is checked against what the outside world saw, not our own bookkeeping: the
mail server's inbox (tests/fixtures/mail.py) for the emails, the sandbox's request
log and its answers for the refresh.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from klentyadmin.core.connections import klenty_target
from tests.cadences.test_refresh_resume import cadence_reads, expected_cache
from tests.fixtures.mail import smtp_sink
from tests.fixtures.workers import manage, query, wait_for, worker_environment, worker_running

LONG_AGO = "2000-01-01 00:00:00"
UNFINISHED = ("queued", "running", "retrying")

# The worker's one job is what the test queues: no schedule may fire beside it.
# django-q2's scheduler looks only every 30 s; the test queues the same tasks itself.
NO_SCHEDULES = "DELETE FROM django_q_schedule"
RESUME_STALLED = (
    "from django_q.tasks import async_task; "
    "async_task('klentyadmin.core.background.resume_stalled')"
)

REPORTS_DUE = 8
CREATE_DUE_REPORTS = f"""
from datetime import timedelta
from django.utils import timezone
from django_q.tasks import async_task
from klentyadmin.accounts.models import User
from reporting import emails
from reporting.models import ReportSubscription

user = User.objects.create_user(
    "morgan", email="morgan@northwind.example", role="manager", password="x"
)
for hour in range({REPORTS_DUE}):
    ReportSubscription.objects.create(
        user=user,
        frequency="daily",
        hour=hour,
        time_zone="UTC",
        unsubscribe_token=emails.new_token(),
        next_send_at=timezone.now() - timedelta(minutes=1),
    )
async_task("reporting.emails.send_due")
"""
REFRESH_COMES_DUE = (
    "from django_q.tasks import async_task; async_task('cadences.sync.scheduled_refresh')"
)
EMAILS_DUE_AGAIN = "from django_q.tasks import async_task; async_task('reporting.emails.send_due')"


def lapse_leases(db, table: str) -> None:
    """Time passes: the dead worker's lease lapses."""
    query(db, f"UPDATE {table} SET lease_until = ? WHERE status = 'running'", LONG_AGO)


def report_emails_drill(sandbox, tmp_path: Path, settings) -> None:
    """Eight report emails due at once; the worker dies after the first few."""
    db, log = tmp_path / "db.sqlite3", tmp_path / "qcluster.log"
    # Each message takes the mail server half a second to acknowledge: a kill most
    # likely lands while one is handed over, the case that must not be resent.
    with smtp_sink(reply_delay=0.5) as inbox:
        env = worker_environment(
            sandbox,
            tmp_path,
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(inbox.port),
        )
        query(db, NO_SCHEDULES)
        manage(env, "shell", "-c", CREATE_DUE_REPORTS)
        with worker_running(env, log):
            wait_for(lambda: len(inbox.messages) >= 3, 60, "the first emails to arrive")
        at_kill = dict(query(db, "SELECT id, status FROM reporting_reportdelivery"))
        assert len(at_kill) == REPORTS_DUE
        assert set(at_kill.values()) & {"queued", "running"}, "every email went out before the kill"

        lapse_leases(db, "reporting_reportdelivery")
        manage(env, "shell", "-c", RESUME_STALLED)
        manage(env, "shell", "-c", EMAILS_DUE_AGAIN)
        with worker_running(env, log):
            wait_for(
                lambda: (
                    not query(
                        db,
                        "SELECT id FROM reporting_reportdelivery WHERE status IN (?, ?, ?)",
                        *UNFINISHED,
                    )
                ),
                60,
                "every delivery to be finished",
            )
        received = inbox.message_ids()

    deliveries = query(db, "SELECT id, status, error FROM reporting_reportdelivery")
    assert len(deliveries) == REPORTS_DUE, "one delivery per subscription, none caught up twice"
    assert max(received.values()) == 1, f"an email went out twice: {received}"
    by_status: dict[str, list[int]] = {}
    for pk, status, error in deliveries:
        by_status.setdefault(status, []).append(pk)
        if status not in ("done", "unknown"):
            pytest.fail(f"delivery {pk} ended {status}: {error}\n{log.read_text()[-3000:]}")
    for pk in by_status.get("done", []):
        assert received[f"<report-delivery-{pk}@klentyadmin>"] == 1, pk
    # At most the one in flight at the kill is "Maybe sent", and it was not sent again.
    assert len(by_status.get("unknown", [])) <= 1, by_status


def cadence_refresh_drill(sandbox, tmp_path: Path, settings) -> None:
    """A scheduled refresh; the worker dies after two members are read."""
    db, log = tmp_path / "db.sqlite3", tmp_path / "qcluster.log"
    env = worker_environment(sandbox, tmp_path, KLENTY_RATE_LIMIT_PER_MIN="1200")
    query(db, NO_SCHEDULES)
    # Half a second a request, so the refresh takes a few seconds. The checks below
    # ask the sandbox from this process, unhindered by either rate limit.
    sandbox.configure(latency_ms=500, rate_limit_per_min=0)
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    since = sandbox.last_seq()

    manage(env, "shell", "-c", REFRESH_COMES_DUE)
    members_read = "SELECT email FROM cadences_cadencerefreshmember WHERE state = 'read'"
    with worker_running(env, log):
        wait_for(lambda: len(query(db, members_read)) >= 2, 60, "two members to be read")
    read_before_kill = {email for (email,) in query(db, members_read)}
    killed_at = sandbox.last_seq()
    [(run_id, status)] = query(db, "SELECT id, status FROM cadences_cadencerefresh")
    assert status == "running", "the refresh ended before the kill"
    assert not query(db, "SELECT id FROM cadences_cadence"), "the cache changed mid-run"

    lapse_leases(db, "cadences_cadencerefresh")
    manage(env, "shell", "-c", RESUME_STALLED)
    with worker_running(env, log):
        wait_for(
            lambda: query(db, "SELECT status FROM cadences_cadencerefresh")[0][0] != "running",
            60,
            "the refresh to be finished",
        )

    finished_at = sandbox.last_seq()

    sandbox.configure(latency_ms=0)
    [(status, error)] = query(db, "SELECT status, error FROM cadences_cadencerefresh")
    assert (status, error) == ("done", ""), log.read_text()[-3000:]
    # Each member read once, but the one in flight at the kill perhaps twice; none
    # read before the kill read again after it.
    reads = cadence_reads(sandbox, since, until=finished_at)
    members = set(reads) - {""}
    assert members == set(klenty_target().team_emails) and read_before_kill <= members
    assert not read_before_kill & set(cadence_reads(sandbox, killed_at, until=finished_at))
    assert sorted(reads.values()).count(2) <= 1 and max(reads.values()) <= 2, reads
    cached = {
        klenty_id: (name, json.loads(owners))
        for klenty_id, name, owners in query(
            db, "SELECT klenty_id, name, owners FROM cadences_cadence"
        )
    }
    assert cached == expected_cache()
