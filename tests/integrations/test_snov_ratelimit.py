"""300 calls from two processes never exceed the per-minute limit at the sandbox.

The real 60/min would take five minutes; the same arithmetic at 900/min (client and
sandbox alike) takes about half a minute and proves the same property."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

LIMIT = 900
CALLS_EACH = 150
ROOT = Path(__file__).resolve().parents[2]

WORKER = textwrap.dedent(
    """
    import django, os, sys
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "klentyadmin.settings")
    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    if sys.argv[1] == "0":
        call_command("migrate", verbosity=0)
    from klentyadmin.integrations.snov import SnovClient
    client = SnovClient.from_settings()
    for _ in range(int(sys.argv[1])):
        client.balance()
    """
)


def test_two_processes_stay_under_the_limit(sandbox, tmp_path):
    sandbox.configure(snov_rate_limit_per_min=LIMIT)
    env = {
        **os.environ,
        "SANDBOX_URL": sandbox.url,
        "SNOV_RATE_LIMIT_PER_MIN": str(LIMIT),
        "KLENTYADMIN_VAR_DIR": str(tmp_path),
        "SNOV_CLIENT_ID": "",
        "SNOV_CLIENT_SECRET": "",
        "DATABASE_URL": "",
    }
    env.pop("DATABASE_URL")
    # One shared database file and one shared limiter folder for both processes.
    subprocess.run([sys.executable, "-c", WORKER, "0"], cwd=ROOT, env=env, check=True, timeout=60)
    workers = [
        subprocess.Popen(
            [sys.executable, "-c", WORKER, str(CALLS_EACH)],
            cwd=ROOT,
            env=env,
            stderr=subprocess.PIPE,
        )
        for _ in range(2)
    ]
    for worker in workers:
        _, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err.decode()[-2000:]
    log = [r for r in sandbox.requests() if r["path"].startswith("/snov/")]
    calls = [r for r in log if r["path"] == "/snov/v1/get-balance"]
    assert len(calls) == 2 * CALLS_EACH
    assert all(r["status"] != 429 for r in log)
    stamps = sorted(r["ts"] for r in log)
    window_start = 0
    for i, ts in enumerate(stamps):
        while ts - stamps[window_start] >= 60:
            window_start += 1
        assert i - window_start + 1 <= LIMIT
    # Spread over time, not a burst: 300 calls at 900/min take at least ~19 s.
    assert stamps[-1] - stamps[0] > 15
