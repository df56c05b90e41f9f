"""A real django-q2 worker killed with SIGKILL mid-job, restarted: every item sent exactly once.

Everything here runs as separate processes on a database file of its own, as in
production: migrate, the job's creation, and two `qcluster` runs.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from tests.fixtures.workers import (
    create_bulk_job,
    query,
    wait_for,
    worker_environment,
    worker_running,
)

ITEMS = 40


@pytest.fixture
def worker_env(sandbox, tmp_path):
    return worker_environment(
        sandbox,
        tmp_path,
        KLENTY_RATE_LIMIT_PER_MIN="240",  # 4 a second: the job takes ~10 s
    )


def item_states(db: Path, job_id: int) -> Counter:
    rows = query(
        db,
        "SELECT state, COUNT(*) FROM prospects_bulkjobitem WHERE job_id = ? GROUP BY state",
        job_id,
    )
    return Counter(dict(rows))


def job_status(db: Path, job_id: int) -> str:
    return query(db, "SELECT status FROM prospects_bulkjob WHERE id = ?", job_id)[0][0]


@pytest.mark.own_sqlite
def test_a_job_survives_a_killed_worker_and_sends_every_item_once(sandbox, worker_env, tmp_path):
    db = tmp_path / "db.sqlite3"
    log = tmp_path / "qcluster.log"
    emails = [p["email"] for p in sandbox.find_prospects(status="Not Contacted", limit=ITEMS)]
    since = sandbox.last_seq()
    job_id = create_bulk_job(worker_env, emails)

    with worker_running(worker_env, log):
        wait_for(lambda: item_states(db, job_id)["done"] >= 8, 60, "the first items to be sent")
    at_kill = item_states(db, job_id)
    assert at_kill["done"] < ITEMS, "the worker finished before it could be killed"

    with worker_running(worker_env, log):
        wait_for(lambda: job_status(db, job_id) == "done", 150, "the restarted worker to finish")

    assert item_states(db, job_id) == Counter({"done": ITEMS}), log.read_text()[-3000:]
    sent = Counter(
        r["body"]["Email"] for r in sandbox.requests(since) if r["path"].endswith("/startcadence")
    )
    assert len(sent) == ITEMS
    assert set(sent.values()) == {1}, (
        f"sent more than once: {[e for e, n in sent.items() if n > 1]}"
    )
