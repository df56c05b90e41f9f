"""Benchmark: finding duplicates at scale, and the Duplicates page.

Standalone: builds its own SQLite database in a temporary folder, migrates it,
creates N prospects of which 1% have a Gmail twin (dots and a + tag) and 1% a
same-name-and-company twin (in one INSERT on SQLite), then times one look for duplicates (the key
table and the pairs rebuilt in SQL: dedupe/finding.py) and the Duplicates page as a
Manager and as a Rep (first, middle and last page). Prints the figures as a table.

    .venv/bin/python bench/duplicates.py [--prospects 1000000] [--requests 30]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import markdown_table, percentile, record_figure, setup_django  # noqa: E402

OWNERS = [
    "morgan.hale@northwind.example",
    "priya.natarajan@northwind.example",
    "diego.alvarez@northwind.example",
    "sam.okafor@northwind.example",
]


def seed(count: int) -> int:
    from prospects.models import Prospect

    rng = random.Random(13)
    batch, twins = [], 0
    for i in range(count):
        owner = OWNERS[i % len(OWNERS)]
        roll = rng.random()
        if roll < 0.01 and i:
            # A Gmail twin of the row before.
            email, first, last, company = f"p.{i - 1}+x@gmail.com", "", "", ""
            twins += 1
        elif roll < 0.02 and i:
            email, first, last, company = f"twin{i}@other.example", f"F{i - 1}", f"L{i - 1}", "Co"
            twins += 1
        else:
            email, first, last, company = f"p{i}@gmail.com", f"F{i}", f"L{i}", "Co"
        batch.append(
            Prospect(
                email=email, first_name=first, last_name=last, company=company, owner_email=owner
            )
        )
        if len(batch) == 10_000:
            Prospect.objects.bulk_create(batch)
            batch = []
    Prospect.objects.bulk_create(batch)
    return twins


SEED_SQL = """
INSERT INTO prospects_prospect (
    email, first_name, middle_name, last_name, full_name, company, company_domain, account,
    department, title, location, phone, twitter_id, company_phone, company_email,
    linkedin_url, city, country, tags, tags_text, custom_fields, owner_email, outcome,
    prospect_status, cadence_status, cadence_name, first_synced_at, last_synced_at,
    search_text
)
WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < %s - 1)
SELECT
    CASE i %% 100 WHEN 1 THEN 'p.' || (i - 1) || '+x@gmail.com'
                  WHEN 2 THEN 'twin' || i || '@other.example'
                  ELSE 'p' || i || '@gmail.com' END,
    CASE i %% 100 WHEN 1 THEN '' WHEN 2 THEN 'F' || (i - 2) ELSE 'F' || i END,
    '',
    CASE i %% 100 WHEN 1 THEN '' WHEN 2 THEN 'L' || (i - 2) ELSE 'L' || i END,
    '', CASE i %% 100 WHEN 1 THEN '' ELSE 'Co' END, '', '', '', '', '', '', '', '', '', '',
    '', '', '[]', '', '{}',
    CASE i %% 4 WHEN 0 THEN %s WHEN 1 THEN %s WHEN 2 THEN %s ELSE %s END,
    '', 'Not Contacted', '', '', datetime('now'), datetime('now'), ''
FROM n
"""


def seed_in_sql(count: int) -> int:
    """The same shape as `seed`, in one statement (SQLite): minutes less at a million.
    Every 100 rows: one Gmail twin of the row before, one name twin of the row before it."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(SEED_SQL, [count, *OWNERS])
    return 2 * (count // 100)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--prospects", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    setup_django(DEBUG="0", ALLOWED_HOSTS="testserver", LOG_LEVEL="ERROR")
    from django.test import Client

    from dedupe.finding import look_for_duplicates, pairs_visible_to
    from dedupe.models import DuplicatePair
    from dedupe.views import PAGE_SIZE
    from klentyadmin.accounts.models import User

    started = time.perf_counter()
    from django.db import connection

    twins = seed_in_sql(args.prospects) if connection.vendor == "sqlite" else seed(args.prospects)
    seeded = time.perf_counter() - started
    started = time.perf_counter()
    look_for_duplicates()
    look = time.perf_counter() - started
    pairs = DuplicatePair.objects.count()

    rows = [
        ("prospects", f"{args.prospects:,}"),
        ("twins seeded", f"{twins:,}"),
        ("pairs found", f"{pairs:,}"),
        ("seeding (s)", f"{seeded:.1f}"),
        ("one look for duplicates (s)", f"{look:.1f}"),
    ]
    manager = User.objects.create_user("m", role="manager", klenty_email=OWNERS[0])
    rep = User.objects.create_user("r", role="rep", klenty_email=OWNERS[1])
    for user in (manager, rep):
        client = Client()
        client.force_login(user)
        count = pairs_visible_to(user).count()
        last = max(1, -(-count // PAGE_SIZE))
        timings = []
        for n in range(args.requests):
            page = (1, max(1, last // 2), last)[n % 3]
            started = time.perf_counter()
            answer = client.get("/duplicates/", {"page": page})
            timings.append((time.perf_counter() - started) * 1000)
            assert answer.status_code == 200
        p50, p95 = percentile(timings, 0.5), percentile(timings, 0.95)
        rows.append(
            (
                f"Duplicates page as {user.role}, {last:,} pages: p50 / p95 (ms)",
                f"{p50:.0f} / {p95:.0f}",
            )
        )
        record_figure(
            f"Duplicates page at {args.prospects:,} prospects ({user.role}), p95",
            f"{p95:.0f} ms",
        )
    record_figure(f"One look for duplicates at {args.prospects:,} prospects", f"{look:.1f} s")
    print(markdown_table(("figure", "value"), rows))


if __name__ == "__main__":
    main()
