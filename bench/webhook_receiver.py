"""Throughput and latency of the webhook receiver over loopback HTTP.

Starts the web server on a free port with a throwaway database and state folder
(nothing of a developer's setup is touched): `manage.py runserver --noreload`, or with
`--server gunicorn` the README's production server (gunicorn.conf.py, `--workers`
processes). Registers one subscription, then posts distinct, well-formed deliveries
from a few threads and prints a Markdown table. Every delivery is stored: the figures
include the duplicate check, the prospect lookup and the INSERT, and "lost" counts the
deliveries that were not answered 200 or not stored.

    .venv/bin/python bench/webhook_receiver.py [--events 2000] [--threads 4]
    .venv/bin/python bench/webhook_receiver.py --server gunicorn --workers 4 --threads 16
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from _common import percentile, record_figure

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def delivery(n: int) -> bytes:
    return json.dumps(
        {
            "event": "open",
            "email": f"prospect{n % 500}@bench.example",
            "fullName": f"Prospect {n % 500}",
            "cadenceName": "Bench Cadence",
            "cadenceOwner": "morgan.hale@northwind.example",
            "prospectOwner": "priya.natarajan@northwind.example",
            "list": "Bench",
            "tags": "bench,load",
            "timestamp": f"2026-11-22T10:{n // 60000 % 60:02d}:{n // 1000 % 60:02d}.{n % 1000:03d}Z",
            "n": n,
        }
    ).encode()


class Poster(threading.local):
    """Posts over a new connection per delivery, as a webhook sender does.

    With `keep_alive`, one connection per thread is reused instead; against
    runserver that measures its unbuffered writes (headers and body in separate
    packets, held back by Nagle's algorithm until the client's delayed ACK), not
    the receiver, so it is off by default.
    """

    def __init__(self, port: int, keep_alive: bool = False):
        self.port = port
        self.keep_alive = keep_alive
        self.connection: http.client.HTTPConnection | None = None

    def post(self, path: str, body: bytes) -> int:
        for attempt in (1, 2):
            if self.connection is None:
                self.connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
            try:
                headers = {"Content-Type": "application/json"}
                if not self.keep_alive:
                    headers["Connection"] = "close"
                self.connection.request("POST", path, body, headers)
                response = self.connection.getresponse()
                response.read()
                if not self.keep_alive or response.getheader("Connection", "") == "close":
                    self.connection.close()
                    self.connection = None
                return response.status
            except (ConnectionError, http.client.HTTPException):
                self.connection.close()
                self.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def wait_until_up(port: int, path: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            Poster(port).post(path, b"{}")
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--keep-alive", action="store_true", help="reuse connections")
    parser.add_argument("--server", choices=("runserver", "gunicorn"), default="runserver")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn's processes")
    options = parser.parse_args()

    scratch = tempfile.mkdtemp(prefix="klentyadmin-bench-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "klentyadmin.settings",
        "KLENTYADMIN_VAR_DIR": scratch,
        "DEBUG": "false",
        "LOG_LEVEL": "ERROR",
    }
    env.pop("DATABASE_URL", None)
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    from cadences.models import Event, WebhookSubscription, new_token

    call_command("migrate", verbosity=0)
    token = new_token()
    WebhookSubscription.objects.create(event="open", url="http://bench/", token=token)
    path = f"/hooks/klenty/{token}/"

    port = free_port()
    if options.server == "gunicorn":
        command = [
            str(Path(sys.executable).with_name("gunicorn")),
            "-c", "gunicorn.conf.py", "--bind", f"{HOST}:{port}",
            "--workers", str(options.workers), "klentyadmin.wsgi",
        ]  # fmt: skip
    else:
        command = [sys.executable, "manage.py", "runserver", "--noreload", f"{HOST}:{port}"]
    server = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(port, path)
        poster = Poster(port, keep_alive=options.keep_alive)
        bodies = [delivery(n) for n in range(options.events)]
        for body in (delivery(-n) for n in range(1, 21)):  # warm-up, not timed
            poster.post(path, body)

        def send(body: bytes) -> tuple[int, float]:
            started = time.perf_counter()
            status = poster.post(path, body)
            return status, (time.perf_counter() - started) * 1000

        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=options.threads) as pool:
            results = list(pool.map(send, bodies))
        elapsed = time.perf_counter() - started

        latencies = [ms for _, ms in results]
        failures = sum(1 for status, _ in results if status != 200)
        stored = Event.objects.filter(raw_body__contains='"n": ').count() - 20
        rate = options.events / elapsed
        p50, p95, p99 = (percentile(latencies, f) for f in (0.50, 0.95, 0.99))
        lost = max(failures, options.events - stored)
        server_name = (
            f"gunicorn, {options.workers} workers" if options.server == "gunicorn" else "runserver"
        )
        print(f"{server_name}, SQLite")
        print(
            "| events | threads | events/s | p50 ms | p95 ms | p99 ms | non-200 | stored | lost |"
        )
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        print(
            f"| {options.events} | {options.threads} | {rate:.0f} "
            f"| {p50:.1f} | {p95:.1f} | {p99:.1f} | {failures} | {stored} | {lost} |"
        )
        gunicorn = options.server == "gunicorn"
        record_figure(
            f"Webhook receiver, {options.events:,} events, {options.threads} threads, "
            f"loopback ({server_name})",
            f"{rate:.0f} events/s, p50 {p50:.1f} ms, p95 {p95:.1f} ms; "
            f"{failures} non-200, {stored} of {options.events} stored, {lost} lost",
            target="≥ 500 events/s, p95 ≤ 50 ms, 0 lost" if gunicorn else "report it; 0 lost",
            met=lost == 0 and (not gunicorn or (rate >= 500 and p95 <= 50)),
        )
    finally:
        server.terminate()
        server.wait(10)
        shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    main()
