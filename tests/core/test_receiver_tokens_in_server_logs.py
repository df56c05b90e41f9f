"""Real runserver and gunicorn processes log no receiver token (issue 14, finding 1).

A delivery's path carries the token, the only credential Klenty's deliveries have:
runserver's request lines (`django.server`), Django's "Not Found: …" warnings and
gunicorn's access log (gunicorn.conf.py, as the README starts it) show it masked.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from tests.fixtures.runserver import free_port
from tests.fixtures.workers import ROOT, manage, wait_for, worker_environment

TOKEN = "Live-receiver-token_0123456789abcdefghijklmn"
UNKNOWN = "Guessed-receiver-token_0123456789abcdefghijk"
MAKE_SUBSCRIPTION = f"""
from cadences.models import WebhookSubscription
WebhookSubscription.objects.create(
    event="open", url="http://127.0.0.1/hooks/klenty/{TOKEN}/", token="{TOKEN}"
)
"""
DELIVERY = {"event": "open", "email": "ada@lovelace.example", "timestamp": "2026-11-22T10:00:00Z"}


@pytest.fixture
def receiver_env(sandbox, tmp_path):
    """A migrated database file holding one open subscription with TOKEN."""
    env = worker_environment(sandbox, tmp_path, PYTHONUNBUFFERED="1")
    manage(env, "shell", "-c", MAKE_SUBSCRIPTION)
    return env


def serve_and_deliver(command: list[str], env: dict[str, str], log: Path) -> list[int]:
    """Starts the server, posts a delivery to TOKEN's URL (twice: stored, then a
    replay), one to an unknown token and one of another event; their statuses."""
    server = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT
    )
    base = env["TEST_BASE_URL"]

    def up():
        try:
            return requests.get(f"{base}/accounts/login/", timeout=10).status_code == 200
        except requests.RequestException:  # not listening yet, or still loading Django
            return False

    try:
        wait_for(up, 60, "the server to answer")
        posts = [
            (TOKEN, DELIVERY),
            (TOKEN, DELIVERY),
            (UNKNOWN, DELIVERY),
            (TOKEN, {**DELIVERY, "event": "unsubscribe"}),
        ]
        return [
            requests.post(
                f"{base}/hooks/klenty/{token}/",
                data=json.dumps(body),
                headers={"Content-Type": "application/json"},
                timeout=10,
            ).status_code
            for token, body in posts
        ]
    finally:
        server.terminate()
        server.wait(10)


def assert_masked(log: Path) -> None:
    text = log.read_text()
    assert TOKEN not in text and UNKNOWN not in text
    # The lines are there, with the path masked: the test reads a real log.
    assert text.count("/hooks/klenty/Live…/") >= 3
    assert "/hooks/klenty/Gues…/" in text


def test_runserver_logs_receiver_paths_with_the_token_masked(receiver_env, tmp_path):
    port = free_port()
    env = {**receiver_env, "TEST_BASE_URL": f"http://127.0.0.1:{port}"}
    log = tmp_path / "runserver.log"
    command = [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"]

    statuses = serve_and_deliver(command, env, log)

    assert statuses == [200, 200, 404, 409]
    assert_masked(log)


def test_gunicorn_logs_receiver_paths_with_the_token_masked(receiver_env, tmp_path):
    port = free_port()
    env = {**receiver_env, "TEST_BASE_URL": f"http://127.0.0.1:{port}"}
    log = tmp_path / "gunicorn.log"
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    command = [
        gunicorn,
        *("-c", "gunicorn.conf.py", "klentyadmin.wsgi", "-w", "1", "-b", f"127.0.0.1:{port}"),
        *("--access-logfile", "-", "--error-logfile", "-"),
        *("--control-socket", str(tmp_path / "gunicorn.ctl")),
    ]

    statuses = serve_and_deliver(command, env, log)

    assert statuses == [200, 200, 404, 409]
    assert_masked(log)
