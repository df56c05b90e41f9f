from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest


class Receiver(ThreadingHTTPServer):
    """A Slack-compatible incoming webhook on loopback: keeps every JSON body posted,
    answering each with the next status of `statuses` (the last one repeats)."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), ReceiverHandler)
        self.messages: list[dict] = []
        self.statuses: list[int] = [200]
        self.lock = threading.Lock()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/services/T000/B000/secretpart1234"

    @property
    def texts(self) -> list[str]:
        with self.lock:
            return [m.get("text", "") for m in self.messages]

    def next_status(self) -> int:
        with self.lock:
            return self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]


class ReceiverHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self):  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        with self.server.lock:
            self.server.messages.append(json.loads(body or b"{}"))
        status = self.server.next_status()
        answer = b"ok" if status == 200 else b"internal_error"
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


@pytest.fixture
def receiver():
    server = Receiver()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(autouse=True)
def _alert_settings(settings):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = True
    settings.ALERTS_SLACK_BACKOFF_SECONDS = 0.01
    settings.ALERTS_SLACK_ATTEMPTS = 3
    settings.API_BACKOFF_BASE, settings.API_BACKOFF_CAP = 0.01, 0.05
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    settings.REPORTS_SITE_URL = "http://console.example"


@pytest.fixture
def no_builtins(db):
    """The built-in rules off, so a test sees only the rules it makes."""
    from alerts.models import AlertRule

    AlertRule.objects.filter(builtin__isnull=False).update(enabled=False)
