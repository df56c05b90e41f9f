"""Benchmark: the Experiments page over two years of engagement for 50 cadences.

Standalone: a throwaway SQLite database, no sandbox. It stores two years of daily
engagement rows for 50 cadences and a step-wise snapshot with A/B options for each,
then times the Experiments page as a Manager (server time in-process through Django's
test client, p50/p95 in ms) with the number of SQL queries each request costs: two
cadences over 30 days and 12 months, eight cadences over 12 months (the chi-square,
Holm and seven power calculations), and the A/B options of one step. The first
experiment a process computes also imports statsmodels; that time is printed apart.

    .venv/bin/python bench/experiments.py [--cadences 50] [--requests 30]
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import markdown_table, percentile, record_figure, setup_django  # noqa: E402

TARGET_MS = 200


def seed(cadences: int, today: date) -> None:
    from reporting.models import EngagementDay, StepRow, StepSnapshot

    rng = random.Random(12)
    names = [f"Cadence {n:02d}" for n in range(cadences)]
    rows = []
    for index, name in enumerate(names):
        rate = 0.05 + 0.002 * index
        for n in range(730):
            added = rng.randint(5, 40)
            replies = sum(rng.random() < rate for _ in range(added))
            rows.append(
                EngagementDay(
                    cadence_name=name,
                    day=today - timedelta(days=n),
                    prospects_added=added,
                    replies=replies,
                    positive=replies // 3,
                )
            )
    EngagementDay.objects.bulk_create(rows, batch_size=5000)
    for name in names:
        snapshot = StepSnapshot.objects.create(
            cadence_name=name,
            taken_on=today,
            range_start=today - timedelta(days=29),
            range_end=today,
        )
        StepRow.objects.bulk_create(
            StepRow(
                snapshot=snapshot,
                step_number=step,
                option=option,
                mails=rng.randint(200, 900),
                replies=rng.randint(5, 60),
                positive=rng.randint(0, 10),
            )
            for step in range(1, 6)
            for option in range(0, 3)
        )


def time_requests(client, url: str, params: dict, count: int) -> tuple:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    wall, cpu = [], []
    for _ in range(count):
        with CaptureQueriesContext(connection) as queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            response = client.get(url, params, headers={"HX-Request": "true"})
            wall.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - started_cpu) * 1000)
        assert response.status_code == 200, response.status_code
        assert b'data-testid="verdict"' in response.content, response.content[:2000]
    return (
        percentile(wall, 0.5),
        percentile(wall, 0.95),
        percentile(cpu, 0.95),
        len(queries.captured_queries),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cadences", type=int, default=50)
    parser.add_argument("--requests", type=int, default=30)
    args = parser.parse_args()
    setup_django(DEBUG="0", ALLOWED_HOSTS="testserver")

    from django.test import Client
    from django.urls import reverse

    from klentyadmin.accounts.models import User
    from reporting.models import StepSnapshot

    today = date.today()
    seed(args.cadences, today)
    client = Client()
    client.force_login(User.objects.create_user("bench-manager", role="manager"))
    url = reverse("reporting:experiments")
    snapshot = StepSnapshot.objects.order_by("pk").first()
    two = {"arm": ["Cadence 00", "Cadence 01"]}
    started = time.perf_counter()
    client.get(url, {**two, "range": "7"}, headers={"HX-Request": "true"})
    first = (time.perf_counter() - started) * 1000
    cases = [
        ("2 cadences, last 30 days", two),
        ("2 cadences, last 12 months", {**two, "range": "365"}),
        (
            "8 cadences, last 12 months",
            {"arm": [f"Cadence {n:02d}" for n in range(8)], "range": "365"},
        ),
        ("A/B options of a step (2 options)", {"kind": "options", "test": f"{snapshot.pk}:3"}),
    ]
    rows = []
    for label, params in cases:
        p50, p95, cpu95, queries = time_requests(client, url, params, args.requests)
        rows.append((label, f"{p50:.0f}", f"{p95:.0f}", f"{cpu95:.0f}", queries))
        record_figure(
            f"Experiments page (HTMX), {label}, {args.cadences} cadences x 2 years",
            f"p95 {p95:.0f} ms (CPU p95 {cpu95:.0f} ms, {queries} queries)",
            target=f"p95 ≤ {TARGET_MS} ms",
            met=p95 <= TARGET_MS,
        )
    print(f"{args.cadences} cadences x 730 days of engagement; {args.requests} requests each\n")
    print(markdown_table(("request", "p50 ms", "p95 ms", "CPU p95 ms", "queries"), rows))
    print(f"\nFirst experiment of the process (imports statsmodels): {first:.0f} ms")


if __name__ == "__main__":
    main()
