"""Round-trip time of one simple Klenty call (get_lists) through the whole client.

Starts its own sandbox with no rate limit and uses a throwaway database and state
folder, so it touches nothing of a developer's setup. What is timed is what a
view pays: the shared rate limiter, the HTTP request over a kept-alive connection,
parsing, and the ApiCall row.

    .venv/bin/python bench/client_roundtrip.py [--calls 200]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def start_sandbox() -> tuple[subprocess.Popen, str]:
    command = [sys.executable, "-m", "klentyadmin.sandbox", "--port", "0", "--rate-limit", "0"]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    line = process.stdout.readline()
    prefix = "Sandbox listening on "
    if not line.startswith(prefix):
        process.kill()
        raise SystemExit(f"the sandbox did not start: {line!r}")
    return process, line[len(prefix) :].strip()


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200)
    calls = parser.parse_args().calls

    scratch = tempfile.mkdtemp(prefix="klentyadmin-bench-")
    sandbox, url = start_sandbox()
    try:
        os.environ.update(
            DJANGO_SETTINGS_MODULE="klentyadmin.settings",
            KLENTYADMIN_VAR_DIR=scratch,
            SANDBOX_URL=url,
            KLENTY_RATE_LIMIT_PER_MIN="1000000",
        )
        for name in ("KLENTY_API_KEY", "KLENTY_API_BASE", "KLENTY_APP_BASE", "DATABASE_URL"):
            os.environ.pop(name, None)
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        from django.core.management import call_command

        from klentyadmin.integrations.klenty import KlentyClient

        call_command("migrate", verbosity=0)
        client = KlentyClient.from_settings()
        for _ in range(5):  # connect and warm up
            client.get_lists()
        timings = []
        for _ in range(calls):
            started = time.perf_counter()
            client.get_lists()
            timings.append((time.perf_counter() - started) * 1000)
        print(
            f"get_lists x{calls}: median {statistics.median(timings):.2f} ms, "
            f"p95 {percentile(timings, 0.95):.2f} ms"
        )
    finally:
        sandbox.terminate()
        sandbox.wait(10)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
