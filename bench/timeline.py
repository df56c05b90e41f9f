"""Server time of a prospect's timeline with a large history around it.

Seeds a throwaway SQLite database with PROSPECTS prospects and ROWS rows of each
kind the timeline reads (webhook events, audit entries of edits, bulk job items,
calls), spread over the prospects, then times `timeline_page` (the first page, and
the next page from its cursor) for SAMPLE prospects as a Manager, and counts its
queries. The timeline reads by prospect and email, so its time should follow one
prospect's history, not the size of the tables.

    .venv/bin/python bench/timeline.py [--prospects 20000] [--rows 200000] [--sample 50]
"""

from __future__ import annotations

import argparse
import random
import shutil
import time
from datetime import date, timedelta

from _common import markdown_table, percentile, record_figure, setup_django

BATCH = 5000


def seed(prospects: int, rows: int) -> None:
    from django.utils import timezone

    from cadences.models import Event
    from klentyadmin.accounts.models import User
    from klentyadmin.core.models import AuditEntry
    from prospects.models import BulkAction, BulkJob, BulkJobItem, Prospect
    from reporting.models import Call

    manager = User.objects.create_user("bench-manager", role="manager")
    Prospect.objects.bulk_create(
        (
            Prospect(email=f"p{n}@bench.example", owner_email="priya@bench.example")
            for n in range(prospects)
        ),
        batch_size=BATCH,
    )
    ids = list(Prospect.objects.order_by("pk").values_list("pk", "email"))
    now = timezone.now()
    rng = random.Random(7)
    picks = [ids[rng.randrange(len(ids))] for _ in range(rows)]
    Event.objects.bulk_create(
        (
            Event(
                identity=f"{n:064d}",
                raw_body="{}",
                event_type=("open", "click", "reply")[n % 3],
                email=email,
                prospect_id=pk,
                prospect_owner="priya@bench.example",
                received_at=now - timedelta(minutes=n),
            )
            for n, (pk, email) in enumerate(picks)
        ),
        batch_size=BATCH,
    )
    changes = [{"field": "title", "label": "Title", "before": "A", "after": "B"}]
    AuditEntry.objects.bulk_create(
        (
            AuditEntry(
                actor_name="bench",
                service="klenty",
                action="update_prospect",
                target=email,
                details={"payload": {}, **({"changes": changes} if n % 2 else {})},
                ok=True,
                created_at=now - timedelta(minutes=n),
            )
            for n, (_, email) in enumerate(picks)
        ),
        batch_size=BATCH,
    )
    jobs = [
        BulkJob.objects.create(action=BulkAction.ADD_TAGS, created_by=manager, total=rows // 100)
        for _ in range(100)
    ]
    BulkJobItem.objects.bulk_create(
        (
            BulkJobItem(
                job=jobs[n % 100],
                prospect_id=pk,
                email=email,
                state="done",
                finished_at=now - timedelta(minutes=n),
            )
            for n, (pk, email) in enumerate(picks)
        ),
        batch_size=BATCH,
    )
    Call.objects.bulk_create(
        (
            Call(
                call_sid=f"CA{n}",
                username="priya@bench.example",
                called_on=date.today(),
                created_at=now - timedelta(minutes=n),
                prospect_email=email,
            )
            for n, (_, email) in enumerate(picks)
        ),
        batch_size=BATCH,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prospects", type=int, default=20_000)
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--sample", type=int, default=50)
    args = parser.parse_args()
    scratch = setup_django()
    try:
        run(args)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def run(args: argparse.Namespace) -> None:
    seed(args.prospects, args.rows)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from klentyadmin.accounts.models import User
    from prospects import timeline
    from prospects.models import Prospect

    user = User.objects.get(username="bench-manager")
    sample = random.Random(11).sample(list(Prospect.objects.all()), args.sample)
    timeline.timeline_page(sample[0], user)  # warm: imports, URL patterns, SQL caches
    first, older, queries = [], [], 0
    for prospect in sample:
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            page = timeline.timeline_page(prospect, user)
        first.append((time.perf_counter() - started) * 1000)
        queries = max(queries, len(captured.captured_queries))
        if page.older:
            started = time.perf_counter()
            timeline.timeline_page(prospect, user, timeline.Cursor.parse(page.older))
            older.append((time.perf_counter() - started) * 1000)
    per = args.rows * 4 // args.prospects
    print(f"Timeline of one prospect, {args.rows:,} rows of each of 4 kinds over ")
    print(
        f"{args.prospects:,} prospects (about {per} entries a prospect), {args.sample} prospects\n"
    )
    table = [
        ("first page", f"{percentile(first, 0.5):.1f}", f"{percentile(first, 0.95):.1f}"),
    ]
    if older:
        table.append(
            ("Show older", f"{percentile(older, 0.5):.1f}", f"{percentile(older, 0.95):.1f}")
        )
    print(markdown_table(("page", "p50 ms", "p95 ms"), table))
    print(f"\nqueries per page: {queries}")
    record_figure(
        "Prospect timeline, first page, p95",
        f"{percentile(first, 0.95):.1f} ms ({queries} queries)",
        compared_with=f"{args.rows:,} rows of each kind",
    )


if __name__ == "__main__":
    main()
