"""Benchmark: a full prospect sync from the sandbox into a fresh cache.

Standalone: for each size, a child process makes a temporary SQLite database,
migrates it, starts the sandbox with that many prospects and no rate limit, runs
a full sync with a high client rate limit, and reports the prospects cached, the
wall time, the requests the sandbox answered and the process's peak memory (and the sync's own CPU time, which machine load does not
inflate as it does the wall time). The
sizes run in separate processes so each peak is that run's own. Prints a
Markdown table.

    .venv/bin/python bench/prospects_sync.py [--sizes 100000 20000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
SANDBOX_START_TIMEOUT = 600


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_sandbox(prospects: int, log) -> tuple[subprocess.Popen, str]:
    command = [
        sys.executable,
        "-m",
        "klentyadmin.sandbox",
        "--port",
        "0",
        "--prospects",
        str(prospects),
        "--rate-limit",
        "1000000",
    ]
    process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=log, text=True)
    deadline = time.monotonic() + SANDBOX_START_TIMEOUT
    line = process.stdout.readline()
    if not line.startswith("Sandbox listening on ") or time.monotonic() > deadline:
        process.kill()
        raise SystemExit(f"The sandbox did not start: {line!r}")
    return process, line.removeprefix("Sandbox listening on ").strip()


def sandbox_requests(url: str) -> int:
    # The URL is the sandbox this script started, on loopback.
    with urllib.request.urlopen(f"{url}/_sandbox/requests?since=1000000000", timeout=30) as r:  # noqa: S310
        return json.load(r)["last_seq"]


def one(prospects: int, trace: bool = False) -> dict:
    """Runs in the child process: one size, one fresh database and sandbox."""
    with tempfile.TemporaryDirectory() as var_dir, tempfile.TemporaryFile("w+") as log:
        process, url = start_sandbox(prospects, log)
        try:
            os.environ.update(
                {
                    "KLENTYADMIN_VAR_DIR": var_dir,
                    "DJANGO_SETTINGS_MODULE": "klentyadmin.settings",
                    "DEBUG": "0",
                    "LOG_LEVEL": "WARNING",
                    "SANDBOX_URL": url,
                    "KLENTY_API_KEY": "",
                    "KLENTY_RATE_LIMIT_PER_MIN": "1000000",
                }
            )
            os.environ.pop("DATABASE_URL", None)
            import django

            django.setup()
            from django.core.management import call_command

            call_command("migrate", verbosity=0)
            from prospects.models import Prospect
            from prospects.sync import run_sync

            baseline = peak_rss_mb()
            before = sandbox_requests(url)
            if trace:
                tracemalloc.start()
            started, cpu_before = time.perf_counter(), os.times()
            run = run_sync("full", slice_seconds=None)
            seconds = time.perf_counter() - started
            heap_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
            cpu_after = os.times()
            cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
            return {
                "size": prospects,
                "status": run.status,
                "cached": Prospect.objects.count(),
                "seen": run.seen,
                "seconds": round(seconds, 1),
                "cpu_seconds": round(cpu, 1),
                "requests": sandbox_requests(url) - before,
                "baseline_mb": round(baseline, 1),
                "peak_mb": round(peak_rss_mb(), 1),
                "heap_peak_mb": round(heap_peak, 1) if trace else None,
                "errors": run.errors,
            }
        finally:
            process.terminate()
            process.wait(30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 20_000])
    parser.add_argument(
        "--tracemalloc",
        action="store_true",
        help="also measure the Python heap's peak during the sync (slows it about 2x)",
    )
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.one:
        print(json.dumps(one(options.one, options.tracemalloc)))
        return
    rows = []
    for size in options.sizes:
        answer = subprocess.run(
            [sys.executable, __file__, "--one", str(size)]
            + (["--tracemalloc"] if options.tracemalloc else []),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if answer.returncode:
            raise SystemExit(f"size {size} failed:\n{answer.stderr[-3000:]}")
        rows.append(json.loads(answer.stdout.strip().splitlines()[-1]))
    print(
        "| prospects in Klenty | cached | status | wall time (s) | sync CPU (s) | requests | "
        "peak RSS before sync (MB) | peak RSS after sync (MB) | growth (MB) |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        growth = r["peak_mb"] - r["baseline_mb"]
        print(
            f"| {r['size']:,} | {r['cached']:,} | {r['status']} | {r['seconds']} | "
            f"{r['cpu_seconds']} | "
            f"{r['requests']:,} | {r['baseline_mb']} | {r['peak_mb']} | {growth:.1f} |"
        )
    if options.tracemalloc:
        print("\n| prospects in Klenty | Python heap peak during the sync (MB, tracemalloc) |")
        print("|---:|---:|")
        for r in rows:
            print(f"| {r['size']:,} | {r['heap_peak_mb']} |")
    for r in rows:
        if r["errors"]:
            print(f"\n{r['size']:,}: {r['errors']}")


if __name__ == "__main__":
    main()
