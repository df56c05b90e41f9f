"""Starting and stopping the sandbox process, both ways."""

from __future__ import annotations

import signal
import subprocess
import sys

import pytest
import requests

from tests.fixtures.sandbox import PROJECT_ROOT, _first_line


def start(*command: str) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(
        [sys.executable, *command],
        cwd=PROJECT_ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    line = _first_line(process, 30)
    assert line and line.startswith("Sandbox listening on http://127.0.0.1:"), line
    return process, line.removeprefix("Sandbox listening on ").strip()


@pytest.mark.parametrize(
    ("command", "stop"),
    [
        (("-m", "sandbox", "--port", "0", "--prospects", "50"), signal.SIGTERM),
        (("-m", "sandbox", "--port", "0", "--prospects", "50"), signal.SIGINT),
        (("manage.py", "sandbox", "--port", "0", "--prospects", "50"), signal.SIGTERM),
    ],
)
def test_it_prints_its_url_serves_and_exits_cleanly_on_a_signal(command, stop):
    process, url = start(*command)
    try:
        assert requests.get(f"{url}/_sandbox/health", timeout=5).json()["status"] == "ok"
        assert requests.get(f"{url}/_sandbox/stats", timeout=5).json()["prospects"] == 50
        process.send_signal(stop)
        assert process.wait(10) == 0
        assert process.stdout.read() == ""  # exactly one line on stdout
    finally:
        process.kill()
        process.wait(5)


def test_options_set_the_key_and_the_rate_limit():
    process, url = start(
        "-m", "sandbox", "--port", "0", "--prospects", "10",
        "--klenty-key", "other-key", "--rate-limit", "1",
    )  # fmt: skip
    try:
        lists = f"{url}/klenty/apis/v1/user/morgan.hale%40northwind.example/lists"
        assert requests.get(lists, headers={"x-api-key": "other-key"}, timeout=5).ok
        answer = requests.get(lists, headers={"x-api-key": "other-key"}, timeout=5)
        assert answer.status_code == 429
    finally:
        process.terminate()
        process.wait(10)


def test_a_hundred_thousand_prospects_seed_and_page():
    # How long it takes is bench/prospects_sync.py's figure, not a test's.
    process, url = start("-m", "sandbox", "--port", "0", "--prospects", "100000")
    try:
        lists = f"{url}/klenty/apis/v1/user/morgan.hale%40northwind.example/prospects"
        session = requests.Session()
        session.headers["x-api-key"] = "sandbox-klenty-key"
        page = session.get(lists, params={"listName": "Inbound Leads", "start": 20, "limit": 500})
        assert len(page.json()) == 500
    finally:
        process.terminate()
        process.wait(10)
