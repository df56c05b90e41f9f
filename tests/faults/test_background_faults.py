"""Every registered kind of background work survives a worker killed with SIGKILL.

For each kind in the registry (klentyadmin.core.background.KINDS) a real `qcluster`
works a run against a slowed sandbox, is killed mid-run, and a second one is started.
The one `resume stalled background work` schedule must find the run whose lease
lapsed and finish it, with every item finished and, by the sandbox's request log,
every write sent exactly once.

Each kind brings a `Scenario`: how to create a run in the workers' database, and what
"sent" means for it in the request log. A kind whose outcome is not items written to
the sandbox (an email, a cache of what was read) brings a `Drill` instead, which kills
and restarts the worker itself and checks what the outside world saw. A kind
registered without either fails `test_every_registered_kind_has_a_fault_scenario`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from klentyadmin.core.background import KINDS, Kind
from tests.faults.delivery_refresh_drills import cadence_refresh_drill, report_emails_drill
from tests.faults.sync_drill import prospect_sync_drill
from tests.faults.test_report_pull_faults import engagement_pull_drill
from tests.fixtures.workers import (
    create_bulk_job,
    manage,
    query,
    wait_for,
    worker_environment,
    worker_running,
)

ITEMS = 30
RESUME_SCHEDULE = "resume stalled background work"

# Run from a `manage.py shell` of the workers: a manager's run over TARGETS (comma
# separated emails), whose id is printed last.
CREATE_CRM_PUSH = """
import os
from contacts import transfers
from klentyadmin.accounts.models import User
from prospects.models import Prospect

manager = User.objects.create_user("morgan", role="manager", password="x")
ids = [Prospect.objects.create(email=e).pk for e in os.environ["TARGETS"].split(",")]
print(transfers.start_push(manager, ids, None).pk)
"""

CREATE_VERIFICATION = """
import os
from enrichment.verification import create_verification_run
from klentyadmin.accounts.models import User
from prospects.models import Prospect

manager = User.objects.create_user("morgan", role="manager", password="x")
ids = [Prospect.objects.create(email=e).pk for e in os.environ["TARGETS"].split(",")]
print(create_verification_run(user=manager, prospect_ids=ids).pk)
"""


def fresh_emails(prefix: str) -> Callable[[object], list[str]]:
    """Addresses neither the CRM nor Snov.io has seen, so each one must be sent."""
    return lambda sandbox: [f"{prefix}{n}@drill.example" for n in range(ITEMS)]


def not_contacted(sandbox) -> list[str]:
    return [p["email"] for p in sandbox.find_prospects(status="Not Contacted", limit=ITEMS)]


def posts(path_end: str, targets_of: Callable[[dict], list[str]]):
    """Writes the sandbox answered 2xx (so applied), per target."""

    def count(log: list[dict]) -> Counter:
        return Counter(
            target.lower()
            for r in log
            if r["method"] == "POST" and r["path"].endswith(path_end) and 200 <= r["status"] < 300
            for target in targets_of(r["body"] if isinstance(r["body"], dict) else {})
        )

    return count


@dataclass(frozen=True)
class Scenario:
    targets: Callable[[object], list[str]]  # what the run must send, from the sandbox
    create: Callable[[dict[str, str], list[str]], int]  # makes the run; its id
    sent: Callable[[list[dict]], Counter]  # per target, writes applied, from the request log
    # The worker's pace: slow enough to be killed mid-run, fast enough for a test.
    env: dict[str, str] = field(default_factory=dict)
    sandbox: dict[str, int] = field(default_factory=dict)  # latency and the like
    killed_after: int = 8  # finished items before the kill


def create_in_shell(code: str) -> Callable[[dict[str, str], list[str]], int]:
    def create(env: dict[str, str], targets: list[str]) -> int:
        printed = manage({**env, "TARGETS": ",".join(targets)}, "shell", "-c", code)
        return int(printed.strip().splitlines()[-1])

    return create


SCENARIOS: dict[str, Scenario] = {
    "bulk_job": Scenario(
        targets=not_contacted,
        create=create_bulk_job,
        sent=posts("/startcadence", lambda body: [body.get("Email", "")]),
        env={"KLENTY_RATE_LIMIT_PER_MIN": "240"},  # 4 a second
    ),
    "crm_push": Scenario(
        targets=fresh_emails("pushed"),
        create=create_in_shell(CREATE_CRM_PUSH),
        sent=posts("/contacts", lambda body: [body.get("email", "")]),
        env={"CRM_RATE_LIMIT_PER_MIN": "300"},  # a search and a create per item
    ),
    "snov_verification": Scenario(
        # Pushing an email for verification is what costs a credit: once per email.
        targets=fresh_emails("verified"),
        create=create_in_shell(CREATE_VERIFICATION),
        sent=posts("/add-emails-to-verification", lambda body: body.get("emails", [])),
        # Paced by the sandbox, not by our rate limiter: an item is marked "pushed" just
        # before its push, and a push held back by the limiter would widen the moment
        # in which a kill loses it (the item then ends "not verified yet", unpaid).
        env={"SNOV_RATE_LIMIT_PER_MIN": "6000", "SNOV_POLL_SECONDS": "20"},
        sandbox={"latency_ms": 100, "snov_task_delay_ms": 1000},
        killed_after=10,  # one batch
    ),
}


@dataclass(frozen=True)
class Drill:
    """A kind's own kill-and-restart drill: (sandbox, tmp_path, settings) → None."""

    run: Callable[[object, Path, object], None]


DRILLS: dict[str, Drill] = {
    # Checked against a loopback SMTP server's inbox: each email arrives once, and the
    # one handed over at the kill ends "Maybe sent" instead of going out again.
    "report_email": Drill(report_emails_drill),
    # Checked against the sandbox's request log: no member read before the kill is
    # read again, and the cache equals what the sandbox answers.
    "cadence_refresh": Drill(cadence_refresh_drill),
    # Checked against the sandbox's request log: every prospect cached, and no list page
    # or day read before the kill read again after it.
    "prospect_sync": Drill(prospect_sync_drill),
    # Checked against the sandbox's request log and its answers: no day stored before
    # the kill is asked again, and the stored days equal what the sandbox answers.
    "report_pull": Drill(engagement_pull_drill),
}


def test_every_registered_kind_has_a_fault_scenario():
    covered = set(SCENARIOS) | set(DRILLS)
    assert set(KINDS) == covered, (
        f"kinds without a scenario: {set(KINDS) - covered}; "
        f"scenarios without a kind: {covered - set(KINDS)}"
    )


def finished_items(db: Path, kind: Kind, run_id: int) -> int:
    table = kind.item_model._meta.db_table
    column = kind.item_model._meta.get_field(kind.item_run_field).column
    sql = f"SELECT COUNT(*) FROM {table} WHERE {column} = ? AND finished_at IS NOT NULL"
    return query(db, sql, run_id)[0][0]


def run_status(db: Path, kind: Kind, run_id: int) -> str:
    return query(db, f"SELECT status FROM {kind.model._meta.db_table} WHERE id = ?", run_id)[0][0]


@pytest.mark.own_sqlite
@pytest.mark.parametrize("kind_name", sorted(SCENARIOS))
def test_a_run_whose_worker_is_killed_resumes_and_sends_every_item_once(
    kind_name, sandbox, tmp_path
):
    kind, scenario = KINDS[kind_name], SCENARIOS[kind_name]
    db, log = tmp_path / "db.sqlite3", tmp_path / "qcluster.log"
    sandbox.configure(rate_limit_per_min=0, **scenario.sandbox)
    env = worker_environment(
        sandbox,
        tmp_path,
        CRM_API_KEY="",
        CRM_API_BASE="",
        SNOV_CLIENT_ID="",
        SNOV_CLIENT_SECRET="",
        SNOV_API_BASE="",
        **scenario.env,
    )
    # Only the schedule under test: a due sync or report pull would share the one worker.
    query(db, "DELETE FROM django_q_schedule WHERE name != ?", RESUME_SCHEDULE)
    targets = [t.lower() for t in scenario.targets(sandbox)]
    assert len(targets) == ITEMS
    since = sandbox.last_seq()
    run_id = scenario.create(env, targets)

    with worker_running(env, log):
        wait_for(
            lambda: finished_items(db, kind, run_id) >= scenario.killed_after,
            90,
            f"the {kind_name}'s first items",
            every=0.1,
        )
    assert run_status(db, kind, run_id) == "running"
    assert finished_items(db, kind, run_id) < ITEMS, "the run finished before the kill"

    # As if the dead worker's lease had lapsed and the minute of the resume schedule
    # had come, rather than sleeping through both.
    past = (datetime.now(UTC) - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M:%S")
    query(db, f"UPDATE {kind.model._meta.db_table} SET lease_until = ?", past)
    query(db, "UPDATE django_q_schedule SET next_run = ? WHERE name = ?", past, RESUME_SCHEDULE)
    with worker_running(env, log):
        wait_for(
            lambda: run_status(db, kind, run_id) != "running",
            150,
            f"the restarted worker to finish the {kind_name}",
            every=0.2,
        )

    assert run_status(db, kind, run_id) == "done", log.read_text()[-3000:]
    assert finished_items(db, kind, run_id) == ITEMS
    sent = scenario.sent(sandbox.requests(since))
    assert {t: sent[t] for t in targets} == dict.fromkeys(targets, 1), (
        f"not sent exactly once: { {t: sent[t] for t in targets if sent[t] != 1} }"
    )


@pytest.mark.own_sqlite
@pytest.mark.django_db
@pytest.mark.parametrize("kind_name", sorted(DRILLS))
def test_a_kind_with_its_own_drill_survives_a_killed_worker(kind_name, sandbox, tmp_path, settings):
    DRILLS[kind_name].run(sandbox, tmp_path, settings)
