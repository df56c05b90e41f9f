"""A small HTTP server for API simulators: routing, rate limit, faults, request log, webhooks.

Generic on purpose: each simulated vendor is a `Service` mounted under its own
prefix (`/klenty/apis/v1` now, `/snov` or `/crm` later) and brings its routes,
its key check and its error shape. What a test wants to switch on (faults,
latency, a tight rate limit, the log of what the client sent) lives here once,
behind the unauthenticated control endpoints under `/_sandbox/`.

Every handler runs under one lock, so services can keep plain dicts as state.
"""

from __future__ import annotations

import json
import logging
import math
import queue
import random
import socketserver
import threading
import time
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import unquote, urlsplit

log = logging.getLogger("sandbox")

MAX_BODY_BYTES = 5 * 1024 * 1024
REQUEST_LOG_SIZE = 10_000
TIMEOUT_FAULT_SECONDS = 30.0

Handler = Callable[..., Any]
Route = tuple[str, str, Handler]


class ApiError(Exception):
    """An answer other than 200. `code=None` means "bad input": the service picks its code."""

    def __init__(
        self, status: int, code: str | None, message: str, headers: Mapping[str, str] | None = None
    ):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})


@dataclass
class Reply:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)
    payload: bytes = b""

    def encode(self) -> Reply:
        self.payload = json.dumps(self.body).encode()
        return self


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not JSON")


_NOT_PARSED = object()


@dataclass
class Request:
    method: str
    path: str  # percent-decoded, with the service prefix
    query: dict[str, str]  # the first value of each parameter
    headers: Mapping[str, str]
    raw_body: bytes
    _parsed: Any = _NOT_PARSED

    def json(self, default: Any = None) -> Any:
        """The body as JSON; an empty body is `default`, anything unparseable a 400."""
        if self._parsed is _NOT_PARSED:
            self._parsed = self._parse()
        if self._parsed is _NOT_PARSED:
            raise ApiError(400, None, "The request body is not valid JSON")
        return default if self._parsed is None else self._parsed

    def _parse(self) -> Any:
        if not self.raw_body.strip():
            return None
        try:
            return json.loads(self.raw_body, parse_constant=_reject_constant)
        # A deeply nested body raises RecursionError, which is not a ValueError.
        except (ValueError, UnicodeDecodeError, RecursionError):
            return _NOT_PARSED

    def body_for_log(self) -> Any:
        try:
            return self.json()
        except ApiError:
            return self.raw_body[:4096].decode("utf-8", "replace")


def _segments(pattern: str) -> tuple[str, ...]:
    return tuple(s for s in pattern.split("/") if s)


class Router:
    """Maps a method and path segments to a handler; `{name}` matches one segment."""

    def __init__(self, routes: Iterable[Route] = ()):
        self._routes: list[tuple[str, tuple[str, ...], Handler]] = []
        for method, pattern, handler in routes:
            self.add(method, pattern, handler)

    def add(self, method: str, pattern: str, handler: Handler) -> None:
        self._routes.append((method, _segments(pattern), handler))

    def resolve(self, method: str, segments: list[str]) -> tuple[Handler, dict[str, str]]:
        other_method = False
        for route_method, pattern, handler in self._routes:
            params = _match(pattern, segments)
            if params is None:
                continue
            if route_method == method:
                return handler, params
            other_method = True
        if other_method:
            raise ApiError(405, "METHOD_NOT_ALLOWED", f"{method} is not allowed on this path")
        raise ApiError(404, "NOT_FOUND", "No such endpoint")


def _match(pattern: tuple[str, ...], segments: list[str]) -> dict[str, str] | None:
    if len(pattern) != len(segments):
        return None
    params = {}
    for want, got in zip(pattern, segments, strict=True):
        if want.startswith("{"):
            params[want[1:-1]] = got
        elif want != got:
            return None
    return params


class Service:
    """One simulated vendor API. Subclasses fill in the routes and hooks they need."""

    name = ""
    prefix = ""
    bad_input_code = "BAD_REQUEST"
    config_keys: tuple[str, ...] = ()

    def __init__(self) -> None:
        self.router = Router()

    def authenticate(self, request: Request) -> str:
        """Raise a 401 ApiError or return the rate-limit bucket (the key)."""
        return ""

    def error_body(self, code: str, message: str) -> Any:
        return {"error": message, "code": code}

    def reset(self, options: dict[str, Any]) -> dict[str, Any]:
        return {}

    def configure(self, options: dict[str, Any]) -> None:
        """Apply the keys named in `config_keys` (already known to be present)."""

    def config(self) -> dict[str, Any]:
        return {}

    def control_routes(self) -> list[Route]:
        """Extra routes under /_sandbox/ (no auth), e.g. to inspect the state."""
        return []

    def stats(self) -> dict[str, Any]:
        return {}

    def close(self) -> None:
        """Stop background threads."""


class RateLimiter:
    """At most `limit` requests per key in any 60 seconds (a sliding window); 0 = no limit."""

    window = 60.0

    def __init__(self, limit: int):
        self.limit = limit
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> int:
        """Record a request and return 0, or return the seconds until a slot frees."""
        if self.limit <= 0:
            return 0
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                # After the limit is lowered more hits than `limit` may be in the
                # window: the slot frees when enough of the oldest have expired.
                freeing = hits[len(hits) - self.limit]
                return max(1, math.ceil(freeing + self.window - now))
            hits.append(now)
            return 0

    def reset(self, limit: int) -> None:
        with self._lock:
            self.limit = limit
            self._hits.clear()


@dataclass
class Fault:
    status: int | str  # an HTTP status, "timeout" or "drop"
    path_contains: str = ""
    remaining: int = 1
    retry_after: int | None = None
    after: int = 0  # matching requests let through before the fault starts

    def as_json(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "path_contains": self.path_contains,
            "remaining": self.remaining,
            "retry_after": self.retry_after,
            "after": self.after,
        }


class Faults:
    """Queued one-off faults (fail-next) first, then a random fault rate."""

    def __init__(self, seed: int):
        self._lock = threading.Lock()
        self.clear(seed)

    def clear(self, seed: int) -> None:
        with self._lock:
            self.queue: list[Fault] = []
            self.rate = 0.0
            self.status = 503
            self.latency_ms = 0
            # Seeded, so a test run with a fault rate fails the same requests each time.
            self._rng = random.Random(seed)

    def add(self, fault: Fault) -> None:
        with self._lock:
            self.queue.append(fault)

    def take(self, path: str) -> Fault | None:
        with self._lock:
            for fault in self.queue:
                if fault.path_contains in path:
                    if fault.after > 0:
                        # e.g. "the second page fails": the first goes through.
                        fault.after -= 1
                        continue
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self.queue.remove(fault)
                    return fault
            if self.rate and self._rng.random() < self.rate:
                return Fault(self.status)
        return None


class RequestLog:
    """Every API request (rejected ones too), numbered; never the API key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.clear()

    def clear(self) -> None:
        with self._lock:
            self._entries: deque[dict[str, Any]] = deque(maxlen=REQUEST_LOG_SIZE)
            self.last_seq = 0

    def add(self, request: Request) -> dict[str, Any]:
        with self._lock:
            self.last_seq += 1
            entry = {
                "seq": self.last_seq,
                "ts": round(time.time(), 3),
                "method": request.method,
                "path": request.path,
                "query": request.query,
                "body": request.body_for_log(),
                "status": None,  # filled in when answered; 0 = connection dropped
            }
            self._entries.append(entry)
            return entry

    def since(self, seq: int) -> list[dict[str, Any]]:
        with self._lock:
            return [dict(e) for e in self._entries if e["seq"] > seq]


class WebhookDeliverer:
    """Posts webhook payloads from one background thread.

    A slow or dead receiver must never delay an API answer, and one thread keeps
    deliveries in the order the events happened.
    """

    def __init__(self, timeout: float = 3.0):
        self.timeout = timeout
        self._queue: queue.Queue[tuple[int, str, dict[str, Any]]] = queue.Queue()
        self._generation = 0
        self._lock = threading.Lock()
        self.recent: deque[dict[str, Any]] = deque(maxlen=500)
        self.delivered = 0
        self.failed = 0
        threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True).start()

    def deliver(self, url: str, payload: dict[str, Any]) -> None:
        self._queue.put((self._generation, url, payload))

    def clear(self) -> None:
        """Forget what is queued (a reset must not deliver the previous test's events)."""
        with self._lock:
            self._generation += 1
            self.recent.clear()
            self.delivered = self.failed = 0

    def stats(self) -> dict[str, int]:
        return {"delivered": self.delivered, "failed": self.failed, "pending": self._queue.qsize()}

    def _run(self) -> None:
        while True:
            generation, url, payload = self._queue.get()
            if generation != self._generation:
                continue
            error = self._post(url, payload)
            with self._lock:
                if generation != self._generation:
                    continue
                if error:
                    self.failed += 1
                    log.warning("webhook %s to %s failed: %s", payload.get("event"), url, error)
                else:
                    self.delivered += 1
                self.recent.append(
                    {"url": url, "event": payload.get("event"), "ok": not error, "error": error}
                )

    def _post(self, url: str, payload: dict[str, Any]) -> str:
        if not url.lower().startswith(("http://", "https://")):
            return "not an http(s) URL"
        # The scheme was checked above: no file:// or ftp:// reads.
        request = urllib.request.Request(  # noqa: S310
            url,
            data=json.dumps(payload).encode(),
            headers={"Content-Type": "application/json", "User-Agent": "klentyadmin-sandbox"},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as answer:  # noqa: S310
                answer.read()
        except Exception as exc:  # any failure is logged and counted, never raised
            return f"{type(exc).__name__}: {exc}"
        return ""


def _int(options: dict[str, Any], key: str, low: int, high: int) -> int:
    value = options[key]
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ApiError(400, "BAD_CONFIG", f"{key} must be a whole number from {low} to {high}")
    return value


class SandboxApp:
    """Everything except the socket: dispatch, faults, rate limit, log and the control API."""

    generic_config_keys = ("rate_limit_per_min", "fault_rate", "fault_status", "latency_ms")

    def __init__(self, *, seed: int, rate_limit_per_min: int):
        self.lock = threading.RLock()
        self.seed = seed
        self.started = time.time()
        self.default_rate_limit = rate_limit_per_min
        self.limiter = RateLimiter(rate_limit_per_min)
        self.faults = Faults(seed)
        self.log = RequestLog()
        self.deliverer = WebhookDeliverer()
        self.services: list[Service] = []
        self.control = Router(
            [
                ("GET", "health", self.health),
                ("POST", "reset", self.reset),
                ("GET", "config", self.get_config),
                ("POST", "config", self.set_config),
                ("POST", "fail-next", self.fail_next),
                ("GET", "requests", self.requests),
                ("GET", "stats", self.stats),
                ("GET", "webhook-deliveries", self.webhook_deliveries),
            ]
        )

    def mount(self, service: Service) -> None:
        self.services.append(service)
        for method, pattern, handler in service.control_routes():
            self.control.add(method, pattern, handler)

    def close(self) -> None:
        for service in self.services:
            service.close()

    # Dispatch -----------------------------------------------------------------

    def handle(
        self, method: str, target: str, headers: Mapping[str, str], body: bytes
    ) -> Reply | None:
        """Answer one request; None means "drop the connection without answering"."""
        split = urlsplit(target)
        segments = [unquote(s) for s in split.path.split("/") if s]
        query: dict[str, str] = {}
        for pair in split.query.split("&"):
            if pair:
                name, _, value = pair.partition("=")
                query.setdefault(unquote(name.replace("+", " ")), unquote(value.replace("+", " ")))
        request = Request(method, "/" + "/".join(segments), query, headers, body)
        if segments[:1] == ["_sandbox"]:
            return self._control(request, segments[1:])
        for service in self.services:
            prefix = list(_segments(service.prefix))
            if segments[: len(prefix)] == prefix:
                return self._api(service, request, segments[len(prefix) :])
        return Reply(404, {"error": "No sandbox service at this path"}).encode()

    def _api(self, service: Service, request: Request, segments: list[str]) -> Reply | None:
        entry = self.log.add(request)
        try:
            reply = self._api_reply(service, request, segments)
        except ApiError as error:
            body = service.error_body(error.code or service.bad_input_code, error.message)
            reply = Reply(error.status, body, error.headers).encode()
        except Exception:
            # Last resort: a bug in a handler. Tests hammer bad input so this stays rare.
            log.exception("sandbox %s failed on %s %s", service.name, request.method, request.path)
            body = service.error_body("INTERNAL", "Internal sandbox error (a bug; see its log)")
            reply = Reply(500, body).encode()
        entry["status"] = reply.status if reply else 0
        return reply

    def _api_reply(self, service: Service, request: Request, segments: list[str]) -> Reply | None:
        if self.faults.latency_ms:
            time.sleep(self.faults.latency_ms / 1000)
        fault = self.faults.take(request.path)
        if fault is not None:
            if fault.status == "drop":
                return None
            if fault.status == "timeout":
                # The request is never processed: a late write would land in the
                # next test's freshly reset state.
                time.sleep(TIMEOUT_FAULT_SECONDS)
                raise ApiError(504, "SANDBOX_TIMEOUT", "Simulated gateway timeout")
            status = int(fault.status)
            headers = {}
            if fault.retry_after is not None or status == 429:
                headers["Retry-After"] = str(fault.retry_after or 1)
            raise ApiError(status, "SANDBOX_FAULT", f"Simulated {status}", headers)
        bucket = service.authenticate(request)
        wait = self.limiter.take(bucket)
        if wait:
            message = f"Rate limit of {self.limiter.limit} requests a minute exceeded"
            raise ApiError(429, "RATE_LIMITED", message, {"Retry-After": str(wait)})
        handler, params = service.router.resolve(request.method, segments)
        with self.lock:
            result = handler(request, **params)
            reply = result if isinstance(result, Reply) else Reply(200, result)
            # Encoded under the lock: the body may share dicts with the live state.
            return reply.encode()

    def _control(self, request: Request, segments: list[str]) -> Reply:
        try:
            handler, params = self.control.resolve(request.method, segments)
            with self.lock:
                result = handler(request, **params)
                reply = result if isinstance(result, Reply) else Reply(200, result)
                return reply.encode()
        except ApiError as error:
            return Reply(error.status, {"error": error.message}).encode()
        except Exception:
            log.exception("sandbox control %s %s failed", request.method, request.path)
            return Reply(500, {"error": "Internal sandbox error (a bug; see its log)"}).encode()

    # Control endpoints (no auth) ----------------------------------------------

    def _object(self, request: Request) -> dict[str, Any]:
        body = request.json(default={})
        if not isinstance(body, dict):
            raise ApiError(400, None, "The body must be a JSON object")
        return body

    def health(self, request: Request) -> dict[str, Any]:
        return {
            "status": "ok",
            "services": {s.name: s.prefix for s in self.services},
            "uptime_s": round(time.time() - self.started, 1),
        }

    def reset(self, request: Request) -> dict[str, Any]:
        started = time.perf_counter()
        options = self._object(request)
        unknown = sorted(set(options) - {"seed", "prospects"})
        if unknown:
            raise ApiError(400, None, f"Unknown reset options: {', '.join(unknown)}")
        seed = options.get("seed", self.seed)
        if isinstance(seed, bool) or not isinstance(seed, int):
            raise ApiError(400, None, "seed must be a whole number")
        self.log.clear()
        self.faults.clear(seed)
        self.limiter.reset(self.default_rate_limit)
        self.deliverer.clear()
        result: dict[str, Any] = {"status": True}
        for service in self.services:
            result.update(service.reset(options))
        result["ms"] = round((time.perf_counter() - started) * 1000, 1)
        return result

    def get_config(self, request: Request) -> dict[str, Any]:
        config = {
            "rate_limit_per_min": self.limiter.limit,
            "fault_rate": self.faults.rate,
            "fault_status": self.faults.status,
            "latency_ms": self.faults.latency_ms,
        }
        for service in self.services:
            config.update(service.config())
        return config

    def set_config(self, request: Request) -> dict[str, Any]:
        options = self._object(request)
        known = set(self.generic_config_keys)
        for service in self.services:
            known.update(service.config_keys)
        unknown = sorted(set(options) - known)
        if unknown:
            raise ApiError(400, None, f"Unknown config keys: {', '.join(unknown)}")
        if "rate_limit_per_min" in options:
            limit = _int(options, "rate_limit_per_min", 0, 1_000_000)
            self.limiter.reset(limit)
        if "fault_rate" in options:
            rate = options["fault_rate"]
            if isinstance(rate, bool) or not isinstance(rate, int | float) or not 0 <= rate <= 1:
                raise ApiError(400, None, "fault_rate must be a number from 0 to 1")
            self.faults.rate = float(rate)
        if "fault_status" in options:
            self.faults.status = _int(options, "fault_status", 400, 599)
        if "latency_ms" in options:
            self.faults.latency_ms = _int(options, "latency_ms", 0, 60_000)
        for service in self.services:
            mine = {k: options[k] for k in service.config_keys if k in options}
            if mine:
                service.configure(mine)
        return self.get_config(request)

    def fail_next(self, request: Request) -> dict[str, Any]:
        options = self._object(request)
        status = options.get("status", 503)
        if status not in ("timeout", "drop"):
            status = _int({"status": status}, "status", 400, 599)
        count = _int({"count": options.get("count", 1)}, "count", 1, 10_000)
        path_contains = options.get("path_contains", "")
        if not isinstance(path_contains, str):
            raise ApiError(400, None, "path_contains must be a string")
        retry_after = options.get("retry_after")
        if retry_after is not None:
            retry_after = _int(options, "retry_after", 0, 3600)
        after = _int({"after": options.get("after", 0)}, "after", 0, 10_000)
        fault = Fault(status, path_contains, count, retry_after, after)
        self.faults.add(fault)
        return {"queued": [f.as_json() for f in self.faults.queue]}

    def requests(self, request: Request) -> dict[str, Any]:
        try:
            since = int(request.query.get("since", "0") or 0)
        except ValueError:
            raise ApiError(400, None, "since must be a whole number") from None
        return {"requests": self.log.since(since), "last_seq": self.log.last_seq}

    def stats(self, request: Request) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for service in self.services:
            result.update(service.stats())
        result["requests"] = self.log.last_seq
        result["webhook_deliveries"] = self.deliverer.stats()
        return result

    def webhook_deliveries(self, request: Request) -> dict[str, Any]:
        return {"deliveries": list(self.deliverer.recent), **self.deliverer.stats()}


class _HTTPHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive; every answer carries Content-Length
    server_version = "Sandbox/1.0"
    # Headers and body go out in two writes; without this, Nagle's algorithm and
    # delayed ACKs add ~40 ms to every keep-alive request.
    disable_nagle_algorithm = True
    timeout = 120  # close idle keep-alive connections rather than hold a thread forever
    server: SandboxHTTPServer

    def _serve(self) -> None:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = self._read_chunked()
        else:
            try:
                length = int(self.headers.get("Content-Length") or 0)
            except ValueError:
                length = -1
            if not 0 <= length <= MAX_BODY_BYTES:
                self.close_connection = True
                self._write(
                    Reply(413 if length > 0 else 400, {"error": "Bad body length"}).encode()
                )
                return
            body = self.rfile.read(length) if length else b""
        if body is None:
            self.close_connection = True
            self._write(Reply(400, {"error": "Bad chunked body"}).encode())
            return
        reply = self.server.app.handle(self.command, self.path, self.headers, body)
        if reply is None:
            self.close_connection = True  # the "drop" fault: no answer at all
            return
        self._write(reply)

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _serve

    def _read_chunked(self) -> bytes | None:
        parts, total = [], 0
        while True:
            try:
                size = int(self.rfile.readline(64).split(b";")[0].strip(), 16)
            except ValueError:
                return None
            if size == 0:
                while self.rfile.readline(1024).strip():  # trailers
                    pass
                return b"".join(parts)
            total += size
            if total > MAX_BODY_BYTES:
                return None
            parts.append(self.rfile.read(size))
            self.rfile.readline(8)

    def _write(self, reply: Reply) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", "application/json; charset=utf-8")
            self.send_header("Content-Length", str(len(reply.payload)))
            for name, value in reply.headers.items():
                self.send_header(name, value)
            if self.close_connection:
                self.send_header("Connection", "close")
            self.end_headers()
            self.wfile.write(reply.payload)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (e.g. its own timeout)

    def version_string(self) -> str:
        return self.server_version

    def log_message(self, format: str, *args: Any) -> None:
        log.debug("%s " + format, self.address_string(), *args)


class SandboxHTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], app: SandboxApp):
        self.app = app
        super().__init__(address, _HTTPHandler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind calls socket.getfqdn(), a reverse DNS lookup that
        # can stall for seconds on a machine without network.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)
