"""Scale-out: a bulk job queued on the Redis broker and finished by two `qcluster`s,
several workers each, all on the same PostgreSQL database: every item sent once.

This needs a database server the worker processes can reach, so it runs in
bin/test's PostgreSQL + Redis pass. The workers use the test's own database:
`transactional_db` commits what they write and empties the tables afterwards.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest
from django.db import connection

from prospects.models import BulkJob, BulkJobItem
from tests.fixtures.servers import needs_postgresql_and_redis
from tests.fixtures.workers import create_bulk_job, start_worker, stop_worker, wait_for

ITEMS = 40
CLUSTERS = 2
WORKERS_EACH = 2

pytestmark = needs_postgresql_and_redis


def database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def private_redis_url() -> str:
    """A Redis database of this xdist worker's own, so no other test's tasks mix in."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = 1 + int(worker.removeprefix("gw") or 0) % 15
    return f"{os.environ['REDIS_URL'].rsplit('/', 1)[0]}/{number}"


@pytest.fixture
def cluster_env(sandbox, tmp_path):
    import redis

    url = private_redis_url()
    redis.Redis.from_url(url).flushdb()  # an earlier run's leftover tasks
    return {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": url,
        "KLENTYADMIN_VAR_DIR": str(tmp_path),
        "SANDBOX_URL": sandbox.url,
        "KLENTY_RATE_LIMIT_PER_MIN": "600",
        "Q_TIMEOUT": "30",
        "Q_RETRY": "60",
        "Q_WORKERS": str(WORKERS_EACH),
        "PYTHONUNBUFFERED": "1",
    }


def test_two_clusters_on_redis_finish_a_job_sending_every_item_once(
    sandbox, cluster_env, transactional_db, tmp_path
):
    emails = [p["email"] for p in sandbox.find_prospects(status="Not Contacted", limit=ITEMS)]
    since = sandbox.last_seq()
    job_id = create_bulk_job(cluster_env, emails)

    log = tmp_path / "qcluster.log"
    clusters = [start_worker(cluster_env, log) for _ in range(CLUSTERS)]
    try:
        wait_for(
            lambda: BulkJob.objects.get(pk=job_id).status == "done",
            120,
            "the clusters to finish the job",
        )
    finally:
        for cluster in clusters:
            stop_worker(cluster)
        connection.close()  # the workers' rows are committed; start a fresh transaction view

    states = Counter(BulkJobItem.objects.filter(job_id=job_id).values_list("state", flat=True))
    assert states == Counter({"done": ITEMS}), log.read_text()[-3000:]
    sent = Counter(
        r["body"]["Email"] for r in sandbox.requests(since) if r["path"].endswith("/startcadence")
    )
    assert len(sent) == ITEMS
    assert set(sent.values()) == {1}, (
        f"sent more than once: {[e for e, n in sent.items() if n > 1]}"
    )
