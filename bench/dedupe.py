"""Benchmark: finding duplicates at scale, and the Duplicates page.

Standalone: builds its own SQLite database in a temporary folder, migrates it,
bulk-creates N prospects of which about 1% have a Gmail twin (dots and a + tag) and
about 1% a same-name-and-company twin, then times one look for duplicates (the key
table and the pairs rebuilt in SQL: dedupe/finding.py) and the Duplicates page as a
Manager and as a Rep (first, middle and last page). Prints the figures as a table.

    .venv/bin/python bench/dedupe.py [--prospects 1000000] [--requests 30]
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
    twins = seed(args.prospects)
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
