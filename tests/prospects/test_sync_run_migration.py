"""prospects/0004 puts SyncRun on the background framework's run model, keeping old rows."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [("prospects", "0003_bulk_item_outcome_unknown")]
AFTER = [("prospects", "0004_sync_run_on_background_framework")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_existing_sync_runs_keep_their_times_and_a_failed_one_its_last_error():
    old = migrate(BEFORE)
    started = timezone.now() - timedelta(days=2)
    SyncRun = old.get_model("prospects", "SyncRun")
    done = SyncRun.objects.create(kind="full", status="done", started_at=started)
    failed = SyncRun.objects.create(
        kind="incremental",
        status="failed",
        started_at=started,
        errors="2026-12-01 10:00:00 (updates): Klenty is busy\n"
        "2026-12-01 10:15:00 (created): Klenty is not answering",
    )
    try:
        new = migrate(AFTER).get_model("prospects", "SyncRun")
        rows = {run.pk: run for run in new.objects.all()}
        assert rows[done.pk].created_at == started and rows[done.pk].error == ""
        assert rows[failed.pk].created_at == started
        assert rows[failed.pk].error == "2026-12-01 10:15:00 (created): Klenty is not answering"
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
