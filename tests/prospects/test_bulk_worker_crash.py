"""A real django-q2 worker killed with SIGKILL mid-job, restarted: every item sent exactly once.

Everything here runs as separate processes on a database file of its own, as in
production: migrate, the job's creation, and two `qcluster` runs.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ITEMS = 40

CREATE_JOB = """
import os
from klentyadmin.accounts.models import User
from klentyadmin.integrations.klenty import KlentyClient
from prospects import bulk
from prospects.models import Prospect

manager = User.objects.create_user("morgan", role="manager", password="x")
for email in os.environ["CRASH_TEST_EMAILS"].split(","):
    Prospect.objects.create(email=email)
job = bulk.create_job(
    user=manager,
    action="start_cadence",
    params={"cadence_name": KlentyClient.from_settings().get_company_cadences()[0].name},
    prospect_ids=Prospect.objects.values_list("pk", flat=True),
)
print(job.pk)
"""


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture
def worker_env(sandbox, tmp_path):
    env = {
        **os.environ,
        "KLENTYADMIN_VAR_DIR": str(tmp_path),
        "SANDBOX_URL": sandbox.url,
        "KLENTY_RATE_LIMIT_PER_MIN": "240",  # 4 a second: the job takes ~10 s
        "API_CONNECT_TIMEOUT": "1",
        "API_READ_TIMEOUT": "2",
        "API_MAX_ATTEMPTS": "2",
        "API_BACKOFF_CAP": "0.5",
        "Q_TIMEOUT": "30",
        "Q_RETRY": "60",
        "Q_WORKERS": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )
    return env


def start_worker(env, log: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"],
        cwd=ROOT,
        env=env,
        stdout=log.open("a"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, so SIGKILL reaches every worker
    )


def item_states(db: Path, job_id: int) -> Counter:
    with sqlite3.connect(db, timeout=10) as conn:
        rows = conn.execute(
            "SELECT state, COUNT(*) FROM prospects_bulkjobitem WHERE job_id = ? GROUP BY state",
            (job_id,),
        ).fetchall()
    return Counter(dict(rows))


def job_status(db: Path, job_id: int) -> str:
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute(
            "SELECT status FROM prospects_bulkjob WHERE id = ?", (job_id,)
        ).fetchone()[0]


@pytest.mark.own_sqlite
def test_a_job_survives_a_killed_worker_and_sends_every_item_once(sandbox, worker_env, tmp_path):
    db = tmp_path / "db.sqlite3"
    log = tmp_path / "qcluster.log"
    emails = [p["email"] for p in sandbox.find_prospects(status="Not Contacted", limit=ITEMS)]
    since = sandbox.last_seq()
    created = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", CREATE_JOB],
        cwd=ROOT,
        env={**worker_env, "CRASH_TEST_EMAILS": ",".join(emails)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert created.returncode == 0, created.stderr
    job_id = int(created.stdout.strip().splitlines()[-1])

    worker = start_worker(worker_env, log)
    try:
        wait_for(lambda: item_states(db, job_id)["done"] >= 8, 60, "the first items to be sent")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)
    at_kill = item_states(db, job_id)
    assert at_kill["done"] < ITEMS, "the worker finished before it could be killed"

    worker = start_worker(worker_env, log)
    try:
        wait_for(lambda: job_status(db, job_id) == "done", 150, "the restarted worker to finish")
    finally:
        os.killpg(worker.pid, signal.SIGKILL)  # the test is over; no need to wait for a clean stop
        worker.wait(10)

    assert item_states(db, job_id) == Counter({"done": ITEMS}), log.read_text()[-3000:]
    sent = Counter(
        r["body"]["Email"] for r in sandbox.requests(since) if r["path"].endswith("/startcadence")
    )
    assert len(sent) == ITEMS
    assert set(sent.values()) == {1}, (
        f"sent more than once: {[e for e, n in sent.items() if n > 1]}"
    )
