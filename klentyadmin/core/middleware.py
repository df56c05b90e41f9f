"""A database that is locked or down for a moment answers 503 with a clear message.

SQLite says "database is locked" when another process holds a write lock for longer
than the busy timeout; PostgreSQL refuses connections while it restarts and drops
them when it fails over. Neither is a bug in the page, so instead of a 500 the user
reads that the database is busy, that nothing was saved, and to try again; HTMX
requests get a fragment that static/js/app.js shows in the page's message area.

Other database errors ("no such table", a constraint) are bugs or missing migrations:
they stay 500s, so they are not mistaken for a passing outage.
"""

from __future__ import annotations

import logging

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template.loader import render_to_string

log = logging.getLogger(__name__)

TEMPLATE = "core/database_unavailable.html"
RETRY_AFTER_SECONDS = 5
MESSAGE = "The database is busy or unreachable, so nothing was saved. Try again in a moment."
# What SQLite, psycopg and Django say when the database is busy or out of reach.
TRANSIENT = (
    "database is locked",
    "database table is locked",
    "database is busy",
    "unable to open database",
    "disk i/o error",
    "connection",  # refused, closed, lost, "connection to server ... failed"
    "could not connect",
    "server closed",
    "terminating",
    "the database system is",  # starting up, shutting down, in recovery mode
    "too many clients",
    "timeout",
    "deadlock",
)


def is_transient(exc: BaseException) -> bool:
    if isinstance(exc, InterfaceError):
        return True  # e.g. "connection already closed"
    if isinstance(exc, OperationalError):
        text = str(exc).lower()
        return any(words in text for words in TRANSIENT)
    return False


def database_unavailable(request: HttpRequest, exc: BaseException) -> HttpResponse:
    log.warning(
        "database unavailable for %s %s: %s: %s",
        request.method,
        request.path,
        type(exc).__name__,
        exc,
    )
    if request.path.startswith("/hooks/") or "json" in request.headers.get("Accept", ""):
        # The shape the webhook receiver answers its own database outages with.
        response = JsonResponse({"error": MESSAGE}, status=503)
    else:
        # Rendered without the request: no context processor may touch the database.
        name = f"{TEMPLATE}#message" if request.headers.get("HX-Request") else TEMPLATE
        retry_url = request.get_full_path() if request.method == "GET" else ""
        html = render_to_string(name, {"message": MESSAGE, "retry_url": retry_url})
        response = HttpResponse(html, status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


class DatabaseUnavailableMiddleware:
    """Goes right after AuthenticationMiddleware in MIDDLEWARE."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        # The session and the user load lazily, first in LoginRequiredMiddleware's
        # process_view, and Django never hands an error raised there to
        # process_exception: load them here, where a failure can still be answered.
        try:
            request.user.is_authenticated  # noqa: B018 (the load is the point)
        except (OperationalError, InterfaceError) as exc:
            if is_transient(exc):
                return database_unavailable(request, exc)
            raise
        return None

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if is_transient(exc):
            return database_unavailable(request, exc)
        return None
