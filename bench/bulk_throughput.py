"""Bulk job throughput against a rate-limited sandbox.

A job of 1,000 "add tags" items runs through the real engine and client against a
sandbox that allows 600 requests a minute, with the client's shared limiter set to
the same 600. Target: at least 90% of the limit, and not one 429.

    .venv/bin/python bench/bulk_throughput.py [--items 1000] [--limit 600]
"""

from __future__ import annotations

import argparse
import shutil
import time

from _common import markdown_table, record_figure, sandbox_json, setup_django, start_sandbox


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=1000)
    parser.add_argument("--limit", type=int, default=600)
    args = parser.parse_args()

    sandbox, url = start_sandbox("--rate-limit", str(args.limit))
    scratch = None
    try:
        scratch = setup_django(url, KLENTY_RATE_LIMIT_PER_MIN=str(args.limit))
        from django_q.conf import Conf

        from klentyadmin.accounts.models import User
        from prospects import bulk
        from prospects.models import BulkJobItem, Prospect

        Conf.SYNC = True  # run the job (and its continuations) in this process
        emails = [
            p["email"] for p in sandbox_json(url, f"prospects?limit={args.items}")["prospects"]
        ]
        Prospect.objects.bulk_create([Prospect(email=e) for e in emails])
        manager = User.objects.create_user("bench", role="manager")
        # With SYNC on, the job runs inside create_job, as soon as its rows are committed.
        started = time.monotonic()
        job = bulk.create_job(
            user=manager,
            action="add_tags",
            params={"tags": ["bench"]},
            prospect_ids=Prospect.objects.values_list("pk", flat=True),
        )
        elapsed = time.monotonic() - started

        statuses = [r["status"] for r in sandbox_json(url, "requests?since=0")["requests"]]
        done = job.items.filter(state=BulkJobItem.State.DONE).count()
        rate = done / elapsed * 60
        throttled = statuses.count(429)
        print(
            markdown_table(
                ("figure", "value", "target"),
                [
                    ("items done", f"{done} of {len(emails)}", "all"),
                    ("wall time", f"{elapsed:.1f} s", ""),
                    ("rate", f"{rate:.0f} / min", f"≥ {0.9 * args.limit:.0f} / min"),
                    ("share of the limit", f"{rate / args.limit:.1%}", "≥ 90%"),
                    ("429 answers", throttled, "0"),
                ],
            )
        )
        record_figure(
            f"Bulk job throughput, {len(emails):,} items, sandbox and client limit {args.limit}/min",
            f"{rate:.0f} items/min = {rate / args.limit:.1%} of the limit, "
            f"{throttled} × 429, {done} of {len(emails)} done in {elapsed:.1f} s",
            target="≥ 90%, no 429",
            met=rate >= 0.9 * args.limit and throttled == 0 and done == len(emails),
            compared_with=f"the configured rate limit {args.limit}/min",
        )
    finally:
        sandbox.terminate()
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
