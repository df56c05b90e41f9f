"""One full domain → verified emails → Klenty list + cadence flow against a fresh
sandbox, with the request counts and times of each step, as a Markdown table.

    .venv/bin/python bench/snov_flow.py [domain]

Uses a throwaway database and the real client limits (60/min Snov.io, Klenty's
setting); the sandbox's task delay is its default (1 s).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import record_figure  # noqa: E402


def main() -> int:
    domain = sys.argv[1] if len(sys.argv) > 1 else "brightforge.example"
    var = tempfile.mkdtemp(prefix="snov-bench-")
    sandbox = subprocess.Popen(
        [sys.executable, "-m", "sandbox", "--port", "0", "--prospects", "500"],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        url = sandbox.stdout.readline().split("listening on ")[1].strip()
        os.environ.update(
            KLENTYADMIN_VAR_DIR=var, SANDBOX_URL=url, DJANGO_SETTINGS_MODULE="klentyadmin.settings"
        )
        os.environ.pop("DATABASE_URL", None)
        import django

        django.setup()
        from django.core.management import call_command
        from django_q.conf import Conf

        call_command("migrate", verbosity=0)
        Conf.SYNC = True
        return run(url, domain)
    finally:
        sandbox.terminate()
        sandbox.wait(10)
        shutil.rmtree(var, ignore_errors=True)


def log_since(url: str, seq: int) -> list[dict]:
    with urllib.request.urlopen(f"{url}/_sandbox/requests?since={seq}") as answer:  # noqa: S310
        return json.load(answer)["requests"]


def run(url: str, domain: str) -> int:
    from django.conf import settings
    from django.db import transaction

    from enrichment import services
    from klentyadmin.accounts.models import Role, User
    from klentyadmin.integrations.klenty import KlentyClient
    from klentyadmin.integrations.snov import SnovClient
    from prospects.models import BulkJob

    user = User.objects.create(username="bench", role=Role.MANAGER)
    snov = SnovClient.from_settings(actor=user)
    klenty = KlentyClient.from_settings(actor=user)
    rows: list = []
    steps = []
    state: dict = {}

    def step(name, action):
        seq = log_since(url, 0)[-1]["seq"] if log_since(url, 0) else 0
        started = time.perf_counter()
        action()
        elapsed = time.perf_counter() - started
        made = log_since(url, seq)
        snov_calls = sum(1 for r in made if r["path"].startswith("/snov/"))
        klenty_calls = sum(1 for r in made if r["path"].startswith("/klenty/"))
        steps.append((name, snov_calls, klenty_calls, elapsed))

    def search():
        state["results"] = services.search_domain(
            snov, domain, fresh=True
        )  # time Snov.io, not the store
        state["balance_before"] = snov.balance().balance

    def find():
        ticked = [
            services.Row("", p.first_name, p.last_name, p.position, p.prospect_hash)
            for p in state["results"].prospects.prospects
        ]
        rows[:] = services.find_emails(snov, ticked)

    def verify():
        state["verified"] = [r for r in services.verify(snov, rows) if r.status == "valid"]

    def send():
        list_name = klenty.get_lists()[0].name
        cadence = klenty.get_company_cadences()[0].name
        with transaction.atomic():
            state["push"] = services.send_to_klenty(
                user=user,
                rows=state["verified"],
                list_name=list_name,
                cadence_name=cadence,
                company=state["results"].company.company_name,
                domain=domain,
            )

    step("Domain search (card, prospects p.1, domain emails, generic) + balance", search)
    step("Find emails of the prospects on page 1", find)
    step("Verify the found emails (batches of 10)", verify)
    step("Send to Klenty: lists, cadences, Bulk Add, Start cadence", send)
    push = state["push"]
    push.refresh_from_db()
    credits = state["balance_before"] + 1 - snov.balance().balance
    print(
        f"Flow for {domain}: {len(rows)} emails found, {len(state['verified'])} valid, "
        f"import job {BulkJob.objects.get(pk=push.import_job_id).status}, "
        f"cadence job {push.cadence_job.status if push.cadence_job else 'none'}; "
        f"{credits:.0f} credits spent.\n"
    )
    print("| step | Snov.io requests | Klenty requests | seconds |")
    print("|---|---:|---:|---:|")
    for name, s, k, t in steps:
        print(f"| {name} | {s} | {k} | {t:.2f} |")
    total = [sum(x[i] for x in steps) for i in (1, 2, 3)]
    print(f"| **total** | **{total[0]}** | **{total[1]}** | **{total[2]:.2f}** |")
    record_figure(
        f"Snov.io domain → verified emails → Klenty list + cadence ({domain}, "
        f"{len(rows)} emails found, {len(state['verified'])} valid)",
        f"{total[0]} Snov.io + {total[1]} Klenty requests, {total[2]:.1f} s",
        target="report it",
        compared_with=f"Snov.io's rate limit {settings.SNOV_RATE_LIMIT_PER_MIN}/min",
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
