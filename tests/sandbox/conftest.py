"""Helpers for the sandbox's own tests: a Klenty client as thin as `requests` gets."""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import pytest
import requests

from sandbox.team import TEAM_EMAILS

MANAGER, REP = TEAM_EMAILS[0], TEAM_EMAILS[1]


class KlentyApi:
    """Raw HTTP to the sandbox's Klenty routes, as the team member `user`."""

    def __init__(self, base: str, key: str):
        self.base = base
        self.session = requests.Session()
        self.session.headers["x-API-key"] = key

    def url(self, path: str, user: str = MANAGER) -> str:
        return f"{self.base}/user/{quote(user)}{path}"

    def get(self, path: str, user: str = MANAGER, **params: Any) -> requests.Response:
        return self.session.get(self.url(path, user), params=params, timeout=10)

    def post(
        self, path: str, body: Any = None, user: str = MANAGER, **kw: Any
    ) -> requests.Response:
        return self.session.post(self.url(path, user), json=body, timeout=10, **kw)


@pytest.fixture
def klenty(sandbox) -> KlentyApi:
    return KlentyApi(sandbox.klenty_base, sandbox.key)


def assert_error(response: requests.Response, status: int, code: str) -> str:
    """The documented error shape; returns the message."""
    assert response.status_code == status, response.text
    body = response.json()
    assert body["status"] is False
    assert [list(e) for e in body["errors"]] == [["code", "errorMessage"]]
    assert body["errors"][0]["code"] == code, body
    assert isinstance(body["errors"][0]["errorMessage"], str)
    return body["errors"][0]["errorMessage"]


def one(sandbox, **filters: Any) -> str:
    """The email of a seeded prospect matching the filters."""
    found = sandbox.find_prospects(limit=1, **filters)
    assert found, f"no seeded prospect with {filters}"
    return found[0]["email"]


def wait_for(condition, timeout: float = 5.0, interval: float = 0.05):
    """Poll until `condition()` is truthy (the sandbox is another process)."""
    deadline = time.monotonic() + timeout
    while True:
        result = condition()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)


class Receiver:
    """A tiny HTTP server that collects webhook deliveries."""

    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []
        received = self.payloads

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                received.append(json.loads(self.rfile.read(length)))
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def events(self) -> list[str]:
        return [p["event"] for p in self.payloads]


@pytest.fixture
def receiver():
    receiver = Receiver()
    yield receiver
    receiver.server.shutdown()
    receiver.server.server_close()
