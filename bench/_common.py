"""What every benchmark script needs: a sandbox of its own, a throwaway database,
percentiles and a Markdown table. Nothing here touches a developer's own setup."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def start_listening(module: str, prefix: str, *args: str) -> tuple[subprocess.Popen, str]:
    """Starts `python -m MODULE --port 0 ARGS`, which prints `prefix` and its URL first;
    returns the process and the URL."""
    command = [sys.executable, "-m", module, "--port", "0", *args]
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
    )
    line = process.stdout.readline()
    if not line.startswith(prefix):
        process.kill()
        raise SystemExit(f"{module} did not start: {line!r}")
    return process, line[len(prefix) :].strip()


def start_sandbox(*args: str) -> tuple[subprocess.Popen, str]:
    """Starts `python -m sandbox --port 0 ARGS`; returns the process and its URL."""
    return start_listening("sandbox", "Sandbox listening on ", *args)


def sandbox_json(url: str, path: str):
    """GET one of the sandbox's control endpoints (on loopback) as JSON."""
    import json
    import urllib.request

    with urllib.request.urlopen(f"{url}/_sandbox/{path}", timeout=30) as answer:  # noqa: S310
        return json.load(answer)


def setup_django(sandbox_url: str = "", **env: str) -> Path:
    """Points Django at a fresh SQLite file in a temporary folder, migrates, returns the folder."""
    scratch = Path(tempfile.mkdtemp(prefix="klentyadmin-bench-"))
    for name in (
        "KLENTY_API_KEY",
        "KLENTY_API_BASE",
        "KLENTY_APP_BASE",
        "DATABASE_URL",
        "REDIS_URL",
    ):
        os.environ.pop(name, None)
    os.environ.update(
        DJANGO_SETTINGS_MODULE="klentyadmin.settings",
        KLENTYADMIN_VAR_DIR=str(scratch),
        SANDBOX_URL=sandbox_url,
        **env,
    )
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    return scratch


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def markdown_table(header: tuple[str, ...], rows: list[tuple]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def record_figure(
    figure: str,
    result: str,
    *,
    target: str = "—",
    met: bool | None = None,
    compared_with: str = "—",
) -> None:
    """One line of the benchmark report (bench/report.py).

    When BENCH_FIGURES names a file, the figure is appended to it as a JSON line, with
    the command that produced it; run alone, a script only prints its own tables.
    `target` is the issue's target in words ("p95 ≤ 30 ms"), `met` whether this run
    met it (None when there is no target), `compared_with` the baseline the figure is
    measured against (Django admin's changelist, the configured rate limit, ...).
    """
    import json

    path = os.environ.get("BENCH_FIGURES")
    if not path:
        return
    command = " ".join([".venv/bin/python", os.path.relpath(sys.argv[0], ROOT), *sys.argv[1:]])
    line = {
        "figure": figure,
        "result": result,
        "target": target,
        "met": met,
        "compared_with": compared_with,
        "command": command,
    }
    with open(path, "a", encoding="utf-8") as out:
        out.write(json.dumps(line, ensure_ascii=False) + "\n")
