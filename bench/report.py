"""Every benchmark in bench/ behind one command, and one Markdown report of their figures.

Runs each script as its own process, one after the other (they would skew each other's
timings side by side), with BENCH_FIGURES naming a JSON-lines file that the scripts'
`record_figure` calls append to. Their output streams to the terminal as they run. Then
it writes the report: when and on what it ran, one table of every figure with its target
and what it is compared with, and a section per script with the tables it printed. Each
script seeds its own data in a throwaway database and starts its own sandbox.

A script that fails (or runs past --timeout) is a failed row in the table, and the
command exits 1 once the others have run.

    .venv/bin/python bench/report.py [--quick] [--only NAME ...] [--out docs/benchmark-report.md]

--quick runs every script at small sizes: a dry run of the whole chain in a few minutes,
whose figures do not count against the targets (the report says so at the top).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import platform
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from _common import ROOT, markdown_table

BENCH = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Bench:
    name: str
    about: str
    # Arguments of a quick run; a full run uses each script's own defaults, plus `full`.
    quick: tuple[str, ...] = ()
    full: tuple[str, ...] = ()
    # The script in bench/, when one script is run twice under two names.
    script: str = ""

    @property
    def path(self) -> str:
        return f"bench/{self.script or self.name}.py"


BENCHES = (
    Bench(
        "prospects_search",
        "Search as you type, against Django admin's changelist search",
        ("--prospects", "5000", "--requests", "40"),
    ),
    Bench(
        "prospects_table",
        "The prospects table sorted by each column, at 50 and 200 a page",
        ("--prospects", "5000", "--repeat", "2"),
    ),
    Bench("query_counts", "SQL queries per page at two data sizes"),
    Bench("prospects_sync", "Full prospect sync from the sandbox", ("--sizes", "2000")),
    Bench("bulk_throughput", "Bulk job throughput against the rate limit", ("--items", "100")),
    Bench(
        "reports",
        "Reports: full refresh, and the pages over a large history",
        ("--calls", "20000", "--cadences", "5", "--requests", "5", "--backfill-days", "7"),
    ),
    Bench(
        "cockpit",
        "Home (the cockpit) and the Scorecards over a large history",
        ("--calls", "20000", "--cadences", "5", "--requests", "5"),
    ),
    Bench(
        "experiments",
        "Experiments: significance over 2 years of engagement",
        ("--cadences", "8", "--requests", "5"),
    ),
    Bench("client_roundtrip", "Klenty client round trip", ("--calls", "50")),
    Bench("webhook_receiver", "Webhook receiver throughput and latency", ("--events", "200")),
    Bench(
        "webhook_receiver_gunicorn",
        "Webhook receiver on the production server (gunicorn, 4 workers)",
        ("--events", "400", "--server", "gunicorn", "--threads", "8"),
        full=("--events", "5000", "--server", "gunicorn", "--workers", "4", "--threads", "16"),
        script="webhook_receiver",
    ),
    Bench("snov_flow", "Snov.io domain → verified emails → Klenty list and cadence"),
    Bench("oidc_signin", "Sign-in through OpenID Connect on loopback", ("--runs", "5")),
    Bench(
        "alerts",
        "Alert evaluation per pull with 200 rules over a long history",
        ("--days", "60", "--runs", "3"),
    ),
)


@dataclass
class Outcome:
    bench: Bench
    command: str
    returncode: int | None = None
    timed_out: bool = False
    seconds: float = 0.0
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    output: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    figures: list[dict] = field(default_factory=list)

    @property
    def failed(self) -> bool:
        return self.timed_out or self.returncode != 0


def all_benches() -> list[Bench]:
    """BENCHES, then any script in bench/ not listed there, so a new one is never left out
    (it runs with its defaults in both modes until it is given a line above)."""
    known = {b.script or b.name for b in BENCHES}
    others = [
        Bench(path.stem, "(not yet described in bench/report.py)")
        for path in sorted(BENCH.glob("*.py"))
        if not path.stem.startswith("_") and path.stem != "report" and path.stem not in known
    ]
    return [*BENCHES, *others]


def pump(stream, echo, lines: list[str]) -> None:
    for line in stream:
        echo.write(line)
        echo.flush()
        lines.append(line.rstrip("\n"))


def run(bench: Bench, arguments: list[str], figures: Path, timeout: float) -> Outcome:
    outcome = Outcome(bench, " ".join([".venv/bin/python", bench.path, *arguments]))
    print(f"\n=== {outcome.command}\n", flush=True)
    env = {**os.environ, "BENCH_FIGURES": str(figures), "PYTHONUNBUFFERED": "1"}
    outcome.load_before = os.getloadavg()
    started = time.monotonic()
    # Its own session, so a timeout can stop the script and the sandbox it started.
    process = subprocess.Popen(
        [sys.executable, bench.path, *arguments],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    pumps = [
        threading.Thread(target=pump, args=(process.stdout, sys.stdout, outcome.output)),
        threading.Thread(target=pump, args=(process.stderr, sys.stderr, outcome.errors)),
    ]
    for thread in pumps:
        thread.start()
    try:
        outcome.returncode = process.wait(timeout)
    except subprocess.TimeoutExpired:
        outcome.timed_out = True
        stop(process)
    except KeyboardInterrupt:
        stop(process)
        raise
    # Whatever the script left running (its sandbox, after a crash) goes too: it would
    # hold the output pipes open, and skew the next script's figures.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGTERM)
    for thread in pumps:
        thread.join()
    outcome.seconds = time.monotonic() - started
    if figures.exists():
        outcome.figures = [json.loads(line) for line in figures.read_text().splitlines() if line]
    return outcome


def stop(process: subprocess.Popen) -> None:
    """Interrupt first, so the script's `finally` stops its sandbox and removes its scratch."""
    for sig, grace in ((signal.SIGINT, 20), (signal.SIGTERM, 10), (signal.SIGKILL, 10)):
        try:
            os.killpg(process.pid, sig)
            process.wait(grace)
            return
        except ProcessLookupError:
            return
        except subprocess.TimeoutExpired:
            continue


def machine(load_before, load_after) -> list[tuple[str, str]]:
    import django

    def load(values) -> str:
        return " / ".join(f"{v:.2f}" for v in values)

    return [
        ("CPU cores", str(os.cpu_count())),
        ("load average (1 / 5 / 15 min) before", load(load_before)),
        ("load average (1 / 5 / 15 min) after", load(load_after)),
        ("Python", platform.python_version()),
        ("Django", django.get_version()),
        ("SQLite", sqlite3.sqlite_version),
        ("system", platform.platform()),
        ("commit", commit()),
    ]


def commit() -> str:
    def git(*args: str) -> subprocess.CompletedProcess:
        command = ["git", *args]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, check=False)

    head = git("rev-parse", "--short", "HEAD")
    if head.returncode:
        return "unknown"
    dirty = git("diff", "--quiet", "HEAD", "--").returncode != 0
    return head.stdout.strip() + (" with uncommitted changes" if dirty else "")


def cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


def figure_rows(outcomes: list[Outcome]) -> list[tuple]:
    rows = []
    for outcome in outcomes:
        for f in outcome.figures:
            met = {True: "yes", False: "**no**", None: "—"}[f["met"]]
            rows.append(
                tuple(cell(f[k]) for k in ("figure", "result", "target"))
                + (met, cell(f["compared_with"]), f"`{cell(f['command'])}`")
            )
        # A script that failed or recorded nothing still has its line: never a silent gap.
        if outcome.failed:
            why = "timed out" if outcome.timed_out else f"exit {outcome.returncode}"
            result, met = (
                f"**failed** ({why} after {outcome.seconds:.0f} s; see its section)",
                "**no**",
            )
        elif not outcome.figures:
            result, met = "no figure recorded; its tables are in its section", "—"
        else:
            continue
        rows.append((outcome.bench.path, result, "—", met, "—", f"`{outcome.command}`"))
    return rows


def as_markdown(lines: list[str]) -> str:
    """A script's output as it printed it, with a blank line around each table so that
    a sentence printed right before one does not swallow it."""
    out: list[str] = []
    for line in lines:
        is_row = line.startswith("|")
        was_row = bool(out) and out[-1].startswith("|")
        if out and out[-1] and is_row != was_row:
            out.append("")
        out.append(line)
    return "\n".join(out).strip()


def section(outcome: Outcome) -> str:
    if outcome.timed_out:
        state = "**failed: timed out**"
    elif outcome.failed:
        state = f"**failed, exit {outcome.returncode}**"
    else:
        state = "exit 0"
    load = outcome.load_before[0]
    parts = [
        f"## {outcome.bench.about}",
        f"`{outcome.command}`: {state}, {outcome.seconds:.0f} s, load average {load:.2f} at "
        "the start.",
        as_markdown(outcome.output) or "(no output)",
    ]
    if outcome.failed:
        tail = "\n".join(outcome.errors[-40:]) or "(nothing on stderr)"
        parts.append(f"Last lines on stderr:\n\n```text\n{tail}\n```")
    return "\n\n".join(parts)


def write_report(path: Path, outcomes: list[Outcome], options, started, machine_rows) -> None:
    figures = [f for o in outcomes for f in o.figures]
    met = sum(1 for f in figures if f["met"] is True)
    missed = sum(1 for f in figures if f["met"] is False)
    failed = [o for o in outcomes if o.failed]
    invocation = " ".join([".venv/bin/python bench/report.py", *sys.argv[1:]])
    lines = ["# Benchmark report", ""]
    if options.quick:
        lines += [
            "> **Quick dry run** (`--quick`): every script ran at small sizes to show the",
            "> chain works. These figures do **not** count against the targets. The report",
            "> that does is written by `.venv/bin/python bench/report.py` on an idle machine.",
            "",
        ]
    minutes, seconds = divmod(round(time.monotonic() - started[1]), 60)
    lines += [
        f"Written by `{invocation}` on {started[0]:%Y-%m-%d at %H:%M} UTC, in {minutes} min "
        f"{seconds} s. Each script seeds its own data in a throwaway SQLite database and "
        "starts its own sandbox; wall-clock times depend on what else the machine was "
        "doing (see the load averages), CPU times, where a script gives them, much less.",
        "",
        markdown_table(("machine", ""), machine_rows),
        "",
        "## Figures",
        "",
        f"{len(figures)} figures from {len(outcomes)} scripts: {met} met their target, "
        f"{missed} did not, the rest have none. "
        + (
            f"**{len(failed)} script(s) failed:** "
            + ", ".join(f"`{o.bench.path}`" for o in failed)
            + "."
            if failed
            else "No script failed."
        ),
        "",
        markdown_table(
            ("figure", "result", "target", "met?", "compared with", "command"),
            figure_rows(outcomes),
        ),
        "",
    ]
    lines += [section(o) + "\n" for o in outcomes]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines), encoding="utf-8")


def main() -> int:
    benches = all_benches()
    parser = argparse.ArgumentParser(
        description=__doc__.splitlines()[0],
        epilog="scripts: " + ", ".join(b.name for b in benches),
    )
    parser.add_argument("--quick", action="store_true", help="small sizes: a dry run")
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="NAME",
        choices=[b.name for b in benches],
        default=[],
        help="run only these scripts (names below)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=ROOT / "docs" / "benchmark-report.md",
        help="where to write the report (default docs/benchmark-report.md)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        help="seconds one script may run (default 900 with --quick, else 7200)",
    )
    options = parser.parse_args()
    timeout = options.timeout or (900 if options.quick else 7200)
    chosen = [b for b in benches if not options.only or b.name in options.only]

    started = (datetime.now(UTC), time.monotonic())
    load_before = os.getloadavg()
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="bench-report-") as scratch:
        for bench in chosen:
            arguments = list(bench.quick if options.quick else bench.full)
            figures = Path(scratch) / f"{bench.name}.jsonl"
            outcomes.append(run(bench, arguments, figures, timeout))
    rows = machine(load_before, os.getloadavg())
    write_report(options.out, outcomes, options, started, rows)

    failed = [o.bench.name for o in outcomes if o.failed]
    print(f"\nReport written to {options.out}")
    if failed:
        print(f"Failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
