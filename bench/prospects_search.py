"""Benchmark: the prospects search results fragment against Django admin's search.

Standalone: builds its own SQLite database in a temporary folder, migrates it,
bulk-creates 100,000 prospects, then times ~200 search-as-you-type requests
(the HTMX results fragment, as a Manager) and the same text searches through
the admin changelist. Prints p50/p95 in milliseconds as a Markdown table, and
records the headline figures with bench/_common.py's `record_figure` (a JSON line
each when BENCH_FIGURES names a file).

    .venv/bin/python bench/prospects_search.py [--prospects 100000] [--requests 200]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import record_figure  # noqa: E402

TARGET_P95_MS = 30

FIRST = (
    "Aarav Ada Adrian Aisha Alejandro Alex Amara Amelia Ana Andrea Anna Arjun Ava Ben Bianca "
    "Carlos Chen Chloe Daniel David Diego Elena Eli Emma Ethan Fatima Felix Gabriel Grace Hana "
    "Hugo Isabel Ivan Jack James Jin Jonas Julia Kai Kenji Lara Leo Liam Lucia Maya Mei Mia "
    "Mohammed Nadia Noah Nora Oliver Omar Priya Rafael Ravi Rosa Sam Sara Sofia Tariq Theo "
    "Valentina Victor Wei Yara Yusuf Zoe"
).split()
LAST = (
    "Abbott Alvarez Anderson Bauer Becker Bianchi Brown Campbell Chen Costa Das Dubois Eriksen "
    "Fernandez Fischer Garcia Gupta Hale Hansen Hoffmann Ibrahim Ito Jansen Johnson Kim Kowalski "
    "Kumar Larsen Lee Lopez Martin Meyer Moreau Muller Nakamura Natarajan Nguyen Novak Okafor "
    "Olsen Patel Perez Petrov Popescu Quinn Rossi Sato Schmidt Silva Singh Smith Suzuki Tanaka "
    "Taylor Thompson Torres Wagner Walker Wang Weber Williams Wilson Wong Yamamoto Zhang"
).split()
COMPANY_A = (
    "Acme Apex Blue Bright Cedar Cloud Core Crest Delta Echo Evergreen Falcon First Globe "
    "Granite Harbor Helix Horizon Iron Jade Keystone Lumen Maple Meridian Nimbus North Nova "
    "Oak Orbit Peak Pine Prime Quantum Red River Sage Silver Spark Summit Terra Union Vertex"
).split()
COMPANY_B = (
    "Analytics Bank Bio Capital Cloud Consulting Data Design Dynamics Energy Foods Freight "
    "Health Industries Labs Logistics Media Networks Partners Pharma Retail Robotics Security "
    "Software Solutions Systems Technologies Telecom Ventures Works"
).split()
TITLES = (
    "CEO|CTO|CFO|COO|VP Sales|VP Marketing|Head of Growth|Sales Director|Account Executive|"
    "Marketing Manager|Product Manager|Engineering Manager|Procurement Lead|Operations Manager|"
    "Founder|IT Director|Data Scientist|Customer Success Manager|Head of People|Buyer"
).split("|")
STATUSES = (
    "Not Contacted",
    "In Cadence",
    "Paused",
    "Completed",
    "Replied",
    "Bounced",
    "Unsubscribed",
    "Do Not Contact",
    "Manually Stopped",
)
CADENCE_STATUSES = ("Not In Cadence", "In Cadence", "Paused", "Completed", "Stopped")
TEAM = (
    "morgan.hale@northwind.example",
    "priya.natarajan@northwind.example",
    "diego.alvarez@northwind.example",
    "sam.okafor@northwind.example",
)
TAGS = ("vip", "webinar", "q3", "inbound", "event", "partner", "churn-risk", "trial")


def setup_django(var_dir: str) -> None:
    os.environ["KLENTYADMIN_VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klentyadmin.settings")
    os.environ["DEBUG"] = "0"
    os.environ.pop("DATABASE_URL", None)
    # The test Client's host. (setup_test_environment() would also let it in, but it
    # instruments every template render and would inflate the figures.)
    os.environ["ALLOWED_HOSTS"] = "testserver"
    # The bench measures pages, not sign-in: its users are signed in with force_login,
    # so an Admin is not held at two-factor enrollment.
    os.environ["MFA_REQUIRED_ROLES"] = ""
    import django

    django.setup()


def build(count: int, rng: random.Random) -> dict[str, list[str]]:
    from django.core.management import call_command

    from prospects.models import Prospect, ProspectList

    call_command("migrate", verbosity=0)
    lists = [ProspectList.objects.create(name=f"{w} list") for w in COMPANY_A[:20]]
    companies = [f"{a} {b}" for a in COMPANY_A for b in COMPANY_B]
    today = date.today()
    batch: list[Prospect] = []
    names, used_companies = [], []
    for i in range(count):
        first, last = rng.choice(FIRST), rng.choice(LAST)
        company = rng.choice(companies)
        domain = company.lower().replace(" ", "") + ".example"
        created = today - timedelta(days=rng.randint(0, 900))
        prospect = Prospect(
            email=f"{first}.{last}.{i}@{domain}".lower(),
            first_name=first,
            last_name=last,
            full_name=f"{first} {last}",
            company=company,
            company_domain=domain,
            title=rng.choice(TITLES),
            city=rng.choice(("Berlin", "Austin", "Pune", "Lagos", "Osaka", "Lyon")),
            prospect_list=rng.choice(lists),
            tags=rng.sample(TAGS, rng.randint(0, 3)),
            owner_email=rng.choice(TEAM),
            prospect_status=rng.choice(STATUSES),
            cadence_status=rng.choice(CADENCE_STATUSES),
            created_on=created,
            updated_on=created + timedelta(days=rng.randint(0, 60)),
        )
        prospect.refresh_derived_fields()  # bulk_create does not call save()
        batch.append(prospect)
        if len(batch) == 5000:
            Prospect.objects.bulk_create(batch)
            batch = []
        if i % 500 == 0:
            names.append(f"{first} {last}")
            used_companies.append(company)
    Prospect.objects.bulk_create(batch)
    with __import__("django.db").db.connection.cursor() as cursor:
        cursor.execute("ANALYZE")
        # Measure the steady state, not the minute after a bulk load: fold the
        # write-ahead log into the database file, as SQLite's automatic checkpoints
        # do in a running app (pages still in the WAL are read without the mmap).
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return {"names": names, "companies": used_companies, "lists": [str(x.pk) for x in lists]}


def text_queries(rng: random.Random, data: dict[str, list[str]], n: int) -> list[str]:
    """What people type: first keystrokes of names and companies, whole names, companies."""
    queries = []
    for _ in range(n):
        kind = rng.random()
        source = rng.choice(data["names"] + data["companies"])
        if kind < 0.5:
            queries.append(source[: rng.randint(2, 4)].lower())
        elif kind < 0.75:
            queries.append(rng.choice(data["names"]))
        else:
            queries.append(rng.choice(data["companies"]))
    return queries


def with_filters(rng: random.Random, data: dict[str, list[str]], q: str) -> dict[str, str]:
    params = {"q": q}
    if rng.random() < 0.5:
        choice = rng.randrange(6)
        if choice == 0:
            params["status"] = rng.choice(STATUSES)
        elif choice == 1:
            params["owner"] = rng.choice(TEAM)
        elif choice == 2:
            params["list"] = rng.choice(data["lists"])
        elif choice == 3:
            params["tag"] = rng.choice(TAGS)
        elif choice == 4:
            params["sort"] = rng.choice(("company", "-synced", "status", "-name"))
        else:
            params["created_from"] = (date.today() - timedelta(days=90)).isoformat()
    if rng.random() < 0.1:
        params = {k: v for k, v in params.items() if k != "q"}  # filters only
    return params


def timed(
    client, url: str, params_list: list[dict[str, str]], headers: dict
) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds per request. SQLite runs in this process, so
    CPU time is the work itself, without the waits of a machine shared with others."""
    client.get(url, params_list[0], **headers)  # warm up
    wall, cpu = [], []
    for params in params_list:
        start, start_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, params, **headers)
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
        assert response.status_code == 200, (url, params, response.status_code)
    return wall, cpu


def percentile(values: list[float], pct: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--prospects", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="klentyadmin-bench-") as var_dir:
        setup_django(var_dir)
        from django.test import Client
        from django.urls import reverse

        from klentyadmin.accounts.models import User

        started = time.perf_counter()
        data = build(args.prospects, rng)
        print(f"Built {args.prospects:,} prospects in {time.perf_counter() - started:.1f} s\n")

        manager = User.objects.create_user("bench-manager", role="manager")
        admin = User.objects.create_superuser("bench-admin", "admin@example.org", "x")
        queries = text_queries(rng, data, args.requests)

        ours = Client()
        ours.force_login(manager)
        search_params = [with_filters(rng, data, q) for q in queries]
        fragment = timed(
            ours, reverse("prospects:search"), search_params, {"HTTP_HX_REQUEST": "true"}
        )
        text_only = timed(
            ours,
            reverse("prospects:search"),
            [{"q": q} for q in queries],
            {"HTTP_HX_REQUEST": "true"},
        )
        full_page = timed(ours, reverse("prospects:search"), search_params[:50], {})

        django_admin = Client()
        django_admin.force_login(admin)
        changelist = timed(
            django_admin,
            reverse("admin:prospects_prospect_changelist"),
            [{"q": q} for q in queries],
            {},
        )

    rows = [
        ("Search fragment, text + filters (HTMX)", fragment),
        ("Search fragment, text only (HTMX)", text_only),
        ("Search full page (first 50)", full_page),
        ("Django admin changelist search, same text", changelist),
    ]
    load = os.getloadavg()[0]
    print(f"{args.prospects:,} prospects, {args.requests} requests each, server time in ms")
    print(f"(load average {load:.1f} on {os.cpu_count()} CPUs while measuring)\n")
    print("| request | n | p50 ms | p95 ms | p50 CPU ms | p95 CPU ms |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, (wall, cpu) in rows:
        print(
            f"| {label} | {len(wall)} | {percentile(wall, 50):.1f} | {percentile(wall, 95):.1f}"
            f" | {percentile(cpu, 50):.1f} | {percentile(cpu, 95):.1f} |"
        )
    for kind, index in (("wall", 0), ("CPU", 1)):
        ours_, theirs = text_only[index], changelist[index]
        ratio50 = percentile(theirs, 50) / percentile(ours_, 50)
        ratio95 = percentile(theirs, 95) / percentile(ours_, 95)
        print(f"\nAdmin ÷ fragment, same text ({kind}): p50 ×{ratio50:.1f}, p95 ×{ratio95:.1f}")
    print()
    size = f"{args.prospects:,} prospects, load average {load:.1f}"
    for label, (wall, cpu) in rows[:2]:
        p50, p95, cpu95 = percentile(wall, 50), percentile(wall, 95), percentile(cpu, 95)
        met = p95 <= TARGET_P95_MS
        print(f"Target p95 ≤ {TARGET_P95_MS} ms, {label} (wall): {'met' if met else 'NOT met'}")
        record_figure(
            f"{label}: p95 server time ({size})",
            f"{p95:.1f} ms (p50 {p50:.1f} ms; CPU p95 {cpu95:.1f} ms)",
            target=f"p95 ≤ {TARGET_P95_MS} ms",
            met=met,
        )
    admin_p95, ours_p95 = percentile(changelist[0], 95), percentile(text_only[0], 95)
    record_figure(
        f"Django admin changelist search: p95 server time ({size})",
        f"{admin_p95:.1f} ms, ×{admin_p95 / ours_p95:.1f} the search fragment's {ours_p95:.1f} ms",
        compared_with="Django admin changelist search, same data",
    )


if __name__ == "__main__":
    main()
