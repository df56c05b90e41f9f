"""Start the sandbox: `python -m sandbox` or `python manage.py sandbox`.

Prints exactly one line, `Sandbox listening on http://HOST:PORT`, then serves
until SIGTERM or SIGINT. Tests read that line to learn the port of `--port 0`.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
import threading
from typing import Any

from sandbox.crm import CrmService
from sandbox.klenty import KlentyService
from sandbox.server import SandboxApp, SandboxHTTPServer
from sandbox.snov import SnovService


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default loopback)")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=42, help="seed of the demo data")
    parser.add_argument("--prospects", type=int, default=5000, help="demo prospects to seed")
    parser.add_argument(
        "--rate-limit", type=int, default=600, help="requests a minute per API key (0 = none)"
    )
    parser.add_argument(
        "--klenty-key", default="sandbox-klenty-key", help="the x-API-key to accept"
    )
    parser.add_argument("--snov-client-id", default="sandbox-snov-id", help="Snov.io client_id")
    parser.add_argument(
        "--snov-client-secret", default="sandbox-snov-secret", help="Snov.io client_secret"
    )
    parser.add_argument("--crm-key", default="sandbox-crm-key", help="the CRM's X-Api-Key")


def serve(
    *,
    host: str,
    port: int,
    seed: int,
    prospects: int,
    rate_limit: int,
    klenty_key: str,
    snov_client_id: str,
    snov_client_secret: str,
    crm_key: str,
) -> int:
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(levelname)s %(message)s"
    )
    app = SandboxApp(seed=seed, rate_limit_per_min=rate_limit)
    app.mount(KlentyService(app, key=klenty_key, seed=seed, prospects=prospects))
    app.mount(
        SnovService(app, seed=seed, client_id=snov_client_id, client_secret=snov_client_secret)
    )
    app.mount(CrmService(app, seed=seed, key=crm_key))
    server = SandboxHTTPServer((host, port), app)
    # The handler goes in, and the try begins, before the line: whoever reads the
    # line may stop us at once, and that is a normal stop, not a crash.
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        print(f"Sandbox listening on http://{host}:{server.server_port}", flush=True)
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        pass  # SIGINT, or SIGTERM via _interrupt: a normal way to stop
    finally:
        server.server_close()
        app.close()
    return 0


def _interrupt(signum: int, frame: Any) -> None:
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m sandbox", description=__doc__)
    add_arguments(parser)
    return serve(**vars(parser.parse_args(argv)))
