"""SQL queries per page at two data sizes: a page's count must not grow with the data.

For each size a child process makes a throwaway database and a sandbox of its own
(the contacts page asks the CRM), seeds SIZE rows of every kind a list page shows
(prospects, cadences, events, bulk jobs and their items, sync and pull runs,
transfers, audit entries; calls and engagement days for the reports), then requests
each page once to warm it and once under CaptureQueriesContext, as a Manager through
Django's test client. The two sizes are SIZE and 10 × SIZE; SIZE is below every page
size (the smallest is 50 rows), so a query per row shows up as a difference.
A list whose every row fits on its first page needs no COUNT query (the count is the
rows it shows); that one skipped COUNT at the small size is reported, not hidden, and
is the only difference that passes.

    .venv/bin/python bench/query_counts.py [--size 20]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import subprocess
import sys
from datetime import date, timedelta

from _common import markdown_table, record_figure, setup_django, start_sandbox

TARGET = "constant whatever the data size"


def seed(size: int) -> dict[str, int]:
    """SIZE rows of each kind; answers the primary keys the detail pages need."""
    from django.db.models import CharField, F, Value
    from django.db.models.functions import Cast, Concat, LPad
    from django.utils import timezone
    from prospects_search import TEAM, build
    from reports import seed as seed_reports

    from cadences.models import Cadence, Event
    from contacts.models import Transfer, TransferItem
    from klentyadmin.accounts.models import User
    from klentyadmin.core.models import ApiCall, AuditEntry, Service
    from prospects.models import BulkJob, BulkJobItem, Prospect, SyncRun
    from reporting.models import PullRun

    manager = User.objects.create_user("bench-manager", role="manager")
    User.objects.create_user("bench-admin", role="admin")
    build(size, random.Random(7))
    prospects = list(Prospect.objects.order_by("pk"))
    first = prospects[0]
    # Cadence names as the reports seed writes them, so the cadence list has figures too.
    for n in range(size):
        Cadence.objects.create(
            klenty_id=f"bench-{n}", name=f"Bench cadence {n:02d}", owners=[TEAM[n % len(TEAM)]]
        )
    number = LPad(Cast(F("pk") % size, CharField()), 2, Value("0"))
    Prospect.objects.update(
        cadence_name=Concat(Value("Bench cadence "), number), cadence_status="In Cadence"
    )
    # Half the prospects are in the first cadence, so its page has SIZE / 2 of them.
    halves = [p.pk for p in prospects[::2]]
    Prospect.objects.filter(pk__in=halves).update(cadence_name="Bench cadence 00")
    cadence = Cadence.objects.get(name="Bench cadence 00")
    # Half the events are about the first prospect, so its page has SIZE / 2 of them.
    now = timezone.now()
    about = [first if n % 2 else p for n, p in enumerate(prospects)]
    Event.objects.bulk_create(
        Event(
            identity=f"{n:064d}",
            raw_body="{}",
            event_type=("open", "click", "reply")[n % 3],
            email=prospect.email,
            full_name=prospect.full_name,
            cadence_name=f"Bench cadence {n % size:02d}",
            prospect_owner=prospect.owner_email,
            received_at=now - timedelta(minutes=n),
            prospect=prospect,
        )
        for n, prospect in enumerate(about)
    )
    jobs = BulkJob.objects.bulk_create(
        BulkJob(action="add_tags", params={"tags": ["bench"]}, created_by=manager, total=1)
        for _ in range(size)
    )
    job = jobs[0]
    # Running: its progress fragment is what a browser polls every few seconds.
    BulkJob.objects.filter(pk=job.pk).update(total=size, status=BulkJob.Status.RUNNING)
    failed = BulkJobItem.State.FAILED
    BulkJobItem.objects.bulk_create(
        [BulkJobItem(job=job, prospect=p, email=p.email, state=failed) for p in prospects]
        + [BulkJobItem(job=j, prospect=first, email=first.email) for j in jobs[1:]]
    )
    SyncRun.objects.bulk_create(
        SyncRun(kind="full", status="done", triggered_by=manager, finished_at=now)
        for _ in range(size)
    )
    PullRun.objects.bulk_create(
        PullRun(kind=PullRun.Kind.values[n % 3], status="done", triggered_by=manager)
        for n in range(size)
    )
    transfers = Transfer.objects.bulk_create(
        Transfer(direction=Transfer.Direction.TO_CRM, created_by=manager, total=1)
        for _ in range(size)
    )
    TransferItem.objects.bulk_create(
        TransferItem(transfer=transfers[0], prospect=p, email=p.email, state="failed")
        for p in prospects
    )
    AuditEntry.objects.bulk_create(
        AuditEntry(actor=manager, service=Service.KLENTY, action="add_tags", ok=True)
        for _ in range(size)
    )
    ApiCall.objects.bulk_create(
        ApiCall(service=Service.KLENTY, method="GET", endpoint="get_lists", duration_ms=3)
        for _ in range(size)
    )
    seed_reports(calls=size * 100, cadences=size, today=date.today())
    return {"prospect": first.pk, "cadence": cadence.pk, "job": job.pk, "transfer": transfers[0].pk}


def pages(pk: dict[str, int]) -> list[tuple[str, str, dict, bool, str]]:
    """(label, path, query, HTMX?, who) of every page measured."""
    from django.urls import reverse

    def section(name: str) -> str:
        return reverse("reporting:section", args=[name])

    return [
        ("home", reverse("home"), {}, False, "manager"),
        ("prospects search page", reverse("prospects:search"), {}, False, "manager"),
        ("prospects search fragment", reverse("prospects:search"), {"q": "a"}, True, "manager"),
        ("prospect detail", reverse("prospects:detail", args=[pk["prospect"]]), {}, False, "manager"),
        ("bulk jobs list", reverse("prospects:jobs"), {}, False, "manager"),
        ("bulk job page", reverse("prospects:job", args=[pk["job"]]), {}, False, "manager"),
        ("bulk job progress fragment", reverse("prospects:job_progress", args=[pk["job"]]), {}, True, "manager"),
        ("sync page", reverse("prospects:sync_status"), {}, False, "manager"),
        ("cadences list", reverse("cadences:list"), {}, False, "manager"),
        ("cadence page", reverse("cadences:detail", args=[pk["cadence"]]), {}, False, "manager"),
        ("activity feed page", reverse("cadences:feed"), {}, False, "manager"),
        ("activity feed fragment", reverse("cadences:feed"), {}, True, "manager"),
        ("reports page", reverse("reporting:dashboard"), {}, False, "manager"),
        ("reports charts fragment, 90 days", reverse("reporting:dashboard"), {"range": "90"}, True, "manager"),
        *[(f"reports section: {n}", section(n), {}, True, "manager") for n in ("engagement", "funnel", "calls", "cadences")],
        ("report pulls page", reverse("reporting:pulls"), {}, False, "manager"),
        ("deliverability page", reverse("reporting:deliverability"), {}, False, "manager"),
        ("when people answer page", reverse("reporting:answer_times"), {}, False, "manager"),
        ("contacts (CRM) page", reverse("contacts:list"), {}, False, "manager"),
        ("CRM transfers list", reverse("contacts:transfers"), {}, False, "manager"),
        ("CRM transfer page", reverse("contacts:transfer", args=[pk["transfer"]]), {}, False, "manager"),
        ("audit log", reverse("audit_log"), {}, False, "manager"),
        ("API health (Admin)", reverse("api_health"), {}, False, "admin"),
    ]  # fmt: skip


def count_queries(size: int) -> dict[str, int]:
    """Runs in the child process: one size, one fresh database and sandbox."""
    sandbox, url = start_sandbox()
    scratch = None
    try:
        scratch = setup_django(url, DEBUG="0", ALLOWED_HOSTS="testserver", LOG_LEVEL="ERROR")
        from django.db import connection
        from django.test import Client
        from django.test.utils import CaptureQueriesContext

        from klentyadmin.accounts.models import User

        keys = seed(size)
        clients = {}
        for who in ("manager", "admin"):
            clients[who] = Client()
            clients[who].force_login(User.objects.get(username=f"bench-{who}"))
        counts = {}
        for label, path, query, htmx, who in pages(keys):
            headers = {"HX-Request": "true"} if htmx else {}
            clients[who].get(path, query, headers=headers)  # warm: caches, sessions
            with CaptureQueriesContext(connection) as queries:
                response = clients[who].get(path, query, headers=headers)
            if response.status_code != 200:
                raise SystemExit(f"{label}: {path} answered {response.status_code}")
            statements = [q["sql"] for q in queries.captured_queries]
            counts[label] = {
                "all": len(statements),
                "count": sum("COUNT(" in sql.upper() for sql in statements),
            }
        return counts
    finally:
        sandbox.terminate()
        sandbox.wait(10)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=20, help="rows of each kind (default 20)")
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        print(json.dumps(count_queries(options.one)))
        return
    small, large = options.size, 10 * options.size
    counts = []
    for size in (small, large):
        # Each size in its own process: Django is set up once per process.
        answer = subprocess.run(
            [sys.executable, __file__, "--one", str(size)],
            capture_output=True,
            text=True,
            check=False,
        )
        if answer.returncode:
            raise SystemExit(f"size {size} failed:\n{answer.stderr[-3000:]}")
        counts.append(json.loads(answer.stdout.strip().splitlines()[-1]))
    rows = []
    for label in counts[0]:
        few, many = counts[0][label], counts[1][label]
        # The one allowed difference: a COUNT the small size skipped (all on one page).
        skipped_count = many["all"] - few["all"] == 1 and many["count"] - few["count"] == 1
        constant = few["all"] == many["all"]
        note = "yes" if constant else "yes, but for one COUNT" if skipped_count else "**no**"
        rows.append((label, few["all"], many["all"], note))
        record_figure(
            f"SQL queries: {label}",
            f"{many['all']} with {large} rows of each kind",
            target=TARGET,
            met=constant or skipped_count,
            compared_with=f"the same page with {small} rows: {few['all']}"
            + (" (every row on one page: no COUNT needed)" if skipped_count else ""),
        )
    print(f"SQL queries per request as a Manager, {small} and {large} rows of each kind\n")
    print(markdown_table(("page", f"{small} rows", f"{large} rows", "constant?"), rows))


if __name__ == "__main__":
    main()
