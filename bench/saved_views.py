"""Benchmark: the prospects page opened through saved views, and the menu's pinned counts.

Standalone, on data it seeds itself (bench/prospects_search.py's builder, in a
throwaway SQLite database): saves views of the kinds people keep (a status, a
list, a tag, an owner, a text search with a filter, a sort), then times opening
each at /views/<id>/ (the full page, and the HTMX results fragment of its later
pages) as a Manager and as a Rep, and the pinned-views fragment with six pinned
views (six capped COUNTs). Prints p50/p95 in milliseconds.

    .venv/bin/python bench/saved_views.py [--prospects 100000] [--requests 120]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import record_figure  # noqa: E402
from prospects_search import TAGS, TEAM, build, percentile, setup_django  # noqa: E402

TARGET_P95_MS = 30

VIEWS = [
    ("Replied", "status=Replied"),
    ("First list", "list={list}"),
    ("Webinar tag", "tag=webinar"),
    ("Priya's", "owner=priya.natarajan%40northwind.example"),
    ("Acme replies", "q=acme&status=Replied"),
    ("Newest synced", "sort=-synced&cadence_status=In+Cadence"),
]


def timed(client, urls: list[tuple[str, dict]]) -> tuple[list[float], list[float]]:
    client.get(urls[0][0], **urls[0][1])  # warm up
    wall, cpu = [], []
    for url, headers in urls:
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, **headers)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=120)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    assert TAGS and TEAM  # the builder's vocabulary, which the views above use
    with tempfile.TemporaryDirectory(prefix="klentyadmin-bench-") as var_dir:
        setup_django(var_dir)
        from django.test import Client
        from django.urls import reverse

        from klentyadmin.accounts.models import User
        from saved_views.models import PinnedView, SavedView, Visibility

        started = time.perf_counter()
        data = build(args.prospects, rng)
        print(f"Built {args.prospects:,} prospects in {time.perf_counter() - started:.1f} s\n")
        manager = User.objects.create_user("bench-manager", role="manager")
        rep = User.objects.create_user(
            "bench-rep", role="rep", klenty_email="priya.natarajan@northwind.example"
        )
        views = [
            SavedView.objects.create(
                owner=manager,
                name=name,
                query=query.format(list=data["lists"][0]),
                visibility=Visibility.SHARED,
            )
            for name, query in VIEWS
        ]
        for user in (manager, rep):
            for view in views:
                PinnedView.objects.create(user=user, view=view)
        htmx = {"HTTP_HX_REQUEST": "true"}
        full = [(reverse("saved_views:open", args=[rng.choice(views).pk]), {}) for _ in range(50)]
        pages = [
            (
                f"{reverse('saved_views:open', args=[rng.choice(views).pk])}?page={rng.randint(1, 5)}",
                htmx,
            )
            for _ in range(args.requests)
        ]
        pinned = [(reverse("saved_views:pinned"), htmx)] * max(20, args.requests // 4)
        rows = []
        for label, user in (("Manager", manager), ("Rep", rep)):
            client = Client()
            client.force_login(user)
            rows.append((f"Saved view, full page ({label})", timed(client, full)))
            rows.append(
                (f"Saved view, results fragment, pages 1–5 ({label})", timed(client, pages))
            )
            rows.append((f"Pinned views in the menu, six counts ({label})", timed(client, pinned)))

    load = os.getloadavg()[0]
    print(f"{args.prospects:,} prospects, server time in ms (load average {load:.1f})\n")
    print("| request | n | p50 ms | p95 ms | p50 CPU ms | p95 CPU ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, (wall, cpu) in rows:
        print(
            f"| {label} | {len(wall)} | {percentile(wall, 50):.1f} | {percentile(wall, 95):.1f}"
            f" | {percentile(cpu, 50):.1f} | {percentile(cpu, 95):.1f} |"
        )
    size = f"{args.prospects:,} prospects, load average {load:.1f}"
    for label, (wall, cpu) in rows:
        p95 = percentile(wall, 95)
        record_figure(
            f"{label}: p95 server time ({size})",
            f"{p95:.1f} ms (p50 {percentile(wall, 50):.1f} ms; CPU p95 {percentile(cpu, 95):.1f} ms)",
            target=f"p95 ≤ {TARGET_P95_MS} ms",
            met=p95 <= TARGET_P95_MS,
        )


if __name__ == "__main__":
    main()
