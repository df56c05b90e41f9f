"""Benchmark: a full prospect sync from the sandbox into a fresh cache.

Standalone: for each size, a child process makes a temporary SQLite database,
migrates it, starts the sandbox with that many prospects and no rate limit, runs
a full sync with a high client rate limit, and reports the prospects cached, the
wall time, the CPU time of the sync and of the sandbox (which machine load does not
inflate as it does the wall time), the requests the sandbox answered and the
process's memory. The sizes run in separate processes so each peak is that run's own.
Prints a Markdown table, and records the figures for bench/report.py.

The status checks a run makes are a budget that follows the rate limit (five minutes
of it); the benchmark lifts the limit only to take throttling out of the figure, so it
keeps the budget of the default limit (KLENTY_SYNC_STATUS_CHECKS=300), not five
minutes of an unlimited one (two calls for every prospect).

Memory: ru_maxrss counts the pages of the database file that SQLite's mmap touched,
which grow with the cache (that is the file, not the process's own memory); the
anonymous memory (heap and stacks, RssAnon) is sampled through the sync, and its
peak is the figure that must not grow with the prospect count.

    .venv/bin/python bench/prospects_sync.py [--sizes 100000 20000]
"""

from __future__ import annotations

import argparse
import ctypes
import ctypes.util
import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, record_figure  # noqa: E402  (the bench folder is not a package)

SANDBOX_START_TIMEOUT = 600
STATUS_CHECKS = 300  # the default budget at the default limit of 60 requests a minute
WALL_TARGET = 60.0  # seconds, for TARGET_SIZE prospects
TARGET_SIZE = 100_000


def rss_anon_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    return 0.0


def sqlite_memory_mb() -> float:
    """What SQLite itself holds (its page cache, bounded by cache_size, above all), read
    from the shared libsqlite3 that Python's sqlite3 module uses; 0 if it is not shared."""
    if _SQLITE is None:
        return 0.0
    return _SQLITE.sqlite3_memory_used() / 2**20


def _load_sqlite():
    name = ctypes.util.find_library("sqlite3")
    if not name:
        return None
    lib = ctypes.CDLL(name)
    lib.sqlite3_memory_used.restype = ctypes.c_int64
    return lib


_SQLITE = _load_sqlite()


class AnonPeak:
    """Samples RssAnon every 20 ms in a thread: `peak` is the highest seen, `own_peak` the
    highest seen outside SQLite's own memory (the sync's Python objects and buffers)."""

    def __init__(self) -> None:
        self.peak = self.own_peak = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def sample(self) -> None:
        anon = rss_anon_mb()
        self.peak = max(self.peak, anon)
        self.own_peak = max(self.own_peak, anon - sqlite_memory_mb())

    def _run(self) -> None:
        while not self._stop.wait(0.02):
            self.sample()

    def __enter__(self) -> AnonPeak:
        self.sample()
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        self.sample()


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of another process (Linux)."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_rss_mb() -> float:
    # Linux reports ru_maxrss in KiB.
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def start_sandbox(prospects: int, log) -> tuple[subprocess.Popen, str]:
    command = [
        sys.executable,
        "-m",
        "sandbox",
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
                    "KLENTY_SYNC_STATUS_CHECKS": str(STATUS_CHECKS),
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
            anon_before = rss_anon_mb()
            own_before = anon_before - sqlite_memory_mb()
            sandbox_before = process_cpu(process.pid)
            started, cpu_before = time.perf_counter(), os.times()
            with AnonPeak() as anon:
                run = run_sync("full", slice_seconds=None)
            seconds = time.perf_counter() - started
            heap_peak = tracemalloc.get_traced_memory()[1] / 2**20 if trace else None
            cpu_after = os.times()
            cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
            sandbox_cpu = process_cpu(process.pid) - sandbox_before
            return {
                "size": prospects,
                "status": run.status,
                "cached": Prospect.objects.count(),
                "seen": run.seen,
                "seconds": round(seconds, 1),
                "cpu_seconds": round(cpu, 1),
                "sandbox_cpu_seconds": round(sandbox_cpu, 1),
                "anon_before_mb": round(anon_before, 1),
                "anon_peak_mb": round(anon.peak, 1),
                "own_before_mb": round(own_before, 1),
                "own_peak_mb": round(anon.own_peak, 1),
                "sqlite_mb": round(sqlite_memory_mb(), 1),
                "load": round(os.getloadavg()[0], 1),
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
        "| prospects in Klenty | cached | status | wall time (s) | sync CPU (s) | "
        "sandbox CPU (s) | requests | load average | peak anonymous memory (MB) | "
        "of it outside SQLite (MB) | its growth in the sync (MB) | SQLite's own at the end "
        "(MB) | peak RSS incl. the database's mmap (MB) |"
    )
    print("|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(
            f"| {r['size']:,} | {r['cached']:,} | {r['status']} | {r['seconds']} | "
            f"{r['cpu_seconds']} | {r['sandbox_cpu_seconds']} | {r['requests']:,} | "
            f"{r['load']} | {r['anon_peak_mb']} | {r['own_peak_mb']} | "
            f"{r['own_peak_mb'] - r['own_before_mb']:.1f} | {r['sqlite_mb']} | {r['peak_mb']} |"
        )
    record(rows)
    if options.tracemalloc:
        print("\n| prospects in Klenty | Python heap peak during the sync (MB, tracemalloc) |")
        print("|---:|---:|")
        for r in rows:
            print(f"| {r['size']:,} | {r['heap_peak_mb']} |")
    for r in rows:
        if r["errors"]:
            print(f"\n{r['size']:,}: {r['errors']}")


def record(rows: list[dict]) -> None:
    """The figures bench/report.py gathers: the 100k wall time, requests, memory."""
    by_size = {r["size"]: r for r in rows}
    largest = by_size[max(by_size)]
    done = all(r["status"] == "done" and r["cached"] == r["size"] for r in rows)
    # The target is for 100,000 prospects; a smaller (quick) run has none.
    targeted = largest["size"] >= TARGET_SIZE
    record_figure(
        f"Full sync of {largest['size']:,} prospects from the sandbox: wall time",
        f"{largest['seconds']} s (sync CPU {largest['cpu_seconds']} s, sandbox CPU "
        f"{largest['sandbox_cpu_seconds']} s, load average {largest['load']})",
        target=f"≤ {WALL_TARGET:.0f} s" if targeted else "—",
        met=done and largest["seconds"] <= WALL_TARGET if targeted else None,
        compared_with="no injected latency, no rate limit",
    )
    record_figure(
        f"Full sync of {largest['size']:,} prospects: requests to Klenty",
        f"{largest['requests']:,}",
        compared_with=f"{STATUS_CHECKS} of them status checks (the default budget)",
    )
    if len(by_size) > 1:
        smallest = by_size[min(by_size)]
        growth = {size: r["own_peak_mb"] - r["own_before_mb"] for size, r in by_size.items()}
        # Flat: the larger sync's growth within allocator noise of the smaller's.
        flat = growth[largest["size"]] <= growth[smallest["size"]] + 5
        record_figure(
            "Full sync: peak memory vs prospect count",
            f"{largest['size']:,}: +{growth[largest['size']]:.1f} MB during the sync; "
            f"{smallest['size']:,}: +{growth[smallest['size']]:.1f} MB (anonymous memory "
            f"outside SQLite's own memory, its page cache capped by cache_size per connection: "
            f"{largest['sqlite_mb']} MB and {smallest['sqlite_mb']} MB at the end)",
            target="does not grow with the prospect count",
            met=done and flat,
            compared_with=f"the same sync of {smallest['size']:,} prospects",
        )


if __name__ == "__main__":
    main()
