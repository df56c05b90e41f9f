"""The prospect sync's fault drill: a real worker SIGKILLed mid-sync, then restarted.

tests/faults/test_background_faults.py runs it with every other kind's scenario. A
sync writes nothing to Klenty, so what must hold is read from the sandbox: every
prospect it holds ends in the cache, and by its request log no list page or day read
before the kill is read again after it (only what the dead runner had read but not
yet written is redone).
"""

from __future__ import annotations

from collections import Counter
from datetime import date
from pathlib import Path

from tests.faults.delivery_refresh_drills import NO_SCHEDULES, RESUME_STALLED, lapse_leases
from tests.fixtures.workers import manage, query, wait_for, worker_environment, worker_running

PROSPECTS = 2000
START_FULL_SYNC = 'from prospects import sync; print(sync.queue_sync("full", None).pk)'
RUN = "SELECT id, status, json_extract(cursor, '$.phase'), json_extract(cursor, '$.day') FROM prospects_syncrun"


def list_page_reads(requests: list[dict]) -> Counter:
    """(list, page) of each Get Prospects by List the sandbox answered."""
    return Counter(
        (r["query"]["listName"], r["query"].get("start", "1"))
        for r in requests
        if "listName" in r["query"] and r["status"] == 200
    )


def created_day_reads(requests: list[dict]) -> Counter:
    """The day of each Get Prospects by created date the sandbox answered."""
    return Counter(
        date.fromisoformat(r["query"]["startDate"].replace("/", "-"))
        for r in requests
        if "startDate" in r["query"] and r["status"] == 200
    )


def prospect_sync_drill(sandbox, tmp_path: Path, settings) -> None:
    """A full sync of 2,000 prospects; the worker dies while it reads them by day."""
    db, log = tmp_path / "db.sqlite3", tmp_path / "qcluster.log"
    sandbox.reset(prospects=PROSPECTS)
    sandbox.configure(rate_limit_per_min=0)  # the client's own limit paces the sync
    env = worker_environment(
        sandbox,
        tmp_path,
        KLENTY_RATE_LIMIT_PER_MIN="1200",  # 20 a second: the sync takes ~15 s
        KLENTY_SYNC_HISTORY_DAYS="185",  # the sandbox seeds 180 days of prospects
        KLENTY_SYNC_STATUS_CHECKS="40",
        API_READ_TIMEOUT="5",
        API_MAX_ATTEMPTS="3",
    )
    query(db, NO_SCHEDULES)
    since = sandbox.last_seq()
    run_id = int(manage(env, "shell", "-c", START_FULL_SYNC).strip().splitlines()[-1])

    with worker_running(env, log):
        wait_for(
            lambda: query(db, "SELECT COUNT(*) FROM prospects_prospect")[0][0] > 0,
            90,
            "the sync's first prospects",
            every=0.2,
        )
    killed_at = sandbox.last_seq()
    [(pk, status, phase, day_at_kill)] = query(db, RUN)
    assert (pk, status) == (run_id, "running"), "the sync ended before the kill"
    assert phase == "details", f"killed in phase {phase!r}, not mid-way through the days"

    lapse_leases(db, "prospects_syncrun")
    manage(env, "shell", "-c", RESUME_STALLED)
    with worker_running(env, log):
        wait_for(
            lambda: query(db, "SELECT status FROM prospects_syncrun")[0][0] != "running",
            150,
            "the restarted worker to finish the sync",
            every=0.2,
        )

    runs = query(
        db, "SELECT id, status, kind, seen, created, updated, errors FROM prospects_syncrun"
    )
    assert runs == [(run_id, "done", "full", PROSPECTS, PROSPECTS, 0, "")], log.read_text()[-3000:]
    # Nothing lost: every prospect of the sandbox cached, with its id, list and day.
    cached = dict(query(db, "SELECT email, klenty_id FROM prospects_prospect"))
    assert len(cached) == PROSPECTS == sandbox.stats()["prospects"]
    # (The sandbox lists at most 1,000 at a time.)
    assert all(cached[s["email"]] == s["id"] for s in sandbox.find_prospects(limit=1000))
    assert query(
        db,
        "SELECT COUNT(*) FROM prospects_prospect "
        "WHERE prospect_list_id IS NULL OR created_on IS NULL",
    ) == [(0,)]
    # Nothing read twice but what the resume had to redo: the days from the cursor the
    # dead runner last wrote. Every list page (all read after the kill) read once.
    every, after = sandbox.requests(since), sandbox.requests(killed_at)
    days, days_after = created_day_reads(every), created_day_reads(after)
    reread = {day for day in days_after if days[day] > days_after[day]}
    assert all(day >= date.fromisoformat(day_at_kill) for day in reread), sorted(reread)
    assert max(days.values()) <= 2, days
    pages = list_page_reads(every)
    assert pages and max(pages.values()) == 1, pages
