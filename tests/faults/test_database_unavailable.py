"""A database that is locked or down for a moment: a clear 503, never a 500, nothing half-written.

(a) A real lock: a web server on a SQLite file whose write lock another connection holds
    (`BEGIN EXCLUSIVE`), with a short busy timeout.
(b) PostgreSQL "down": every query the page makes fails the way psycopg fails when the
    server goes away, injected with `connection.execute_wrapper`.
"""

from __future__ import annotations

import os
import sqlite3
import time

import pytest
import requests
from django.db import InterfaceError, OperationalError, connection
from django.urls import reverse

from reporting.models import ReportSubscription
from tests.fixtures.runserver import runserver
from tests.fixtures.workers import ROOT, manage, worker_environment

MESSAGE = "The database is busy or unreachable, so nothing was saved. Try again in a moment."
SUBSCRIPTION = {
    "report": "engagement",
    "frequency": "weekly",
    "weekday": "4",
    "hour": "7",
    "time_zone": "Europe/Berlin",
    "range": "7",
}


def assert_busy_page(response, *, fragment: bool = False) -> None:
    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    body = response.content.decode()
    assert MESSAGE in body
    assert "data-error" in body
    assert ("<html" in body) is not fragment


# -- (a) a real lock on a SQLite file ---------------------------------------------

# The project's settings with a half-second busy timeout instead of 20 s.
SHORT_BUSY_TIMEOUT = """
from klentyadmin.settings import *  # noqa: F403

DATABASES["default"]["OPTIONS"]["timeout"] = 0.5  # noqa: F405
"""
SIGN_IN = """
from django.test import Client
from klentyadmin.accounts.models import User

user = User.objects.create_user("morgan", role="manager", password="x", email="m@example.com")
client = Client()
client.force_login(user)
print(client.cookies["sessionid"].value)
"""
CSRF = "a" * 32  # an unmasked CSRF secret: the same value in the cookie and the header


@pytest.fixture
def worker_env(sandbox, tmp_path):
    return worker_environment(sandbox, tmp_path, KLENTY_RATE_LIMIT_PER_MIN="240")


@pytest.fixture
def web(worker_env, tmp_path):
    """A runserver on the migrated file database, and a signed-in requests session."""
    (tmp_path / "short_busy_timeout.py").write_text(SHORT_BUSY_TIMEOUT)
    env = {
        **worker_env,
        "DJANGO_SETTINGS_MODULE": "short_busy_timeout",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
    }
    session_id = manage(env, "shell", "-c", SIGN_IN).strip().splitlines()[-1]
    session = requests.Session()
    session.cookies.set("sessionid", session_id)
    session.cookies.set("csrftoken", CSRF)
    session.headers["X-CSRFToken"] = CSRF
    with runserver(env, tmp_path / "runserver.log") as base:
        yield base, session


def subscriptions_in(db) -> int:
    with sqlite3.connect(db, timeout=10) as conn:
        return conn.execute("SELECT COUNT(*) FROM reporting_reportsubscription").fetchone()[0]


def test_a_locked_database_answers_503_and_the_same_request_works_once_released(web, tmp_path):
    base, session = web
    db = tmp_path / "db.sqlite3"
    url = f"{base}/reports/emails/"
    lock = sqlite3.connect(db, isolation_level=None)
    lock.execute("BEGIN EXCLUSIVE")  # another process is writing, and takes its time
    try:
        started = time.monotonic()
        page = session.post(url, data=SUBSCRIPTION, allow_redirects=False, timeout=30)
        fragment = session.post(url, data=SUBSCRIPTION, headers={"HX-Request": "true"}, timeout=30)
        # With WAL a writer does not block readers: a page that only reads still works.
        read = session.get(url, timeout=30)
    finally:
        lock.execute("ROLLBACK")
        lock.close()

    assert_busy_page(page)
    assert_busy_page(fragment, fragment=True)
    assert time.monotonic() - started < 15, "the busy timeout is not the short one"
    assert read.status_code == 200 and "Report emails" in read.text
    assert subscriptions_in(db) == 0

    again = session.post(url, data=SUBSCRIPTION, allow_redirects=False, timeout=30)

    assert again.status_code == 302
    assert subscriptions_in(db) == 1
    log = (tmp_path / "runserver.log").read_text()
    assert "database unavailable for POST /reports/emails/" in log
    assert "database is locked" in log


# -- (b) PostgreSQL down -------------------------------------------------------------


def server_gone(sql: str = "") -> OperationalError:
    return OperationalError(
        "server closed the connection unexpectedly\n"
        "\tThis probably means the server terminated abnormally"
    )


def failing(*, when=lambda sql: True, error=server_gone):
    """An execute_wrapper: the queries `when` picks fail as if the server went away."""

    def wrapper(execute, sql, params, many, context):
        if when(sql):
            raise error(sql)
        return execute(sql, params, many, context)

    return wrapper


def past_sign_in(sql: str) -> bool:
    """Every query but the session's and the user's: the failure lands in the view."""
    return "django_session" not in sql and '"accounts_user"' not in sql


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "htmx"),
    [("home", False), ("prospects:search", True), ("reporting:emails", False)],
)
@pytest.mark.parametrize("when", [past_sign_in, lambda sql: True], ids=["view", "sign-in"])
def test_pages_answer_503_while_the_database_is_down(manager_client, name, htmx, when, caplog):
    headers = {"HX-Request": "true"} if htmx else {}
    url = reverse(name) + ("?q=acme" if htmx else "")

    with connection.execute_wrapper(failing(when=when)):
        response = manager_client.get(url, headers=headers)

    assert_busy_page(response, fragment=htmx)
    assert "database unavailable for GET" in caplog.text
    assert manager_client.get(url, headers=headers).status_code == 200


# No test transaction around it: a failed write inside one would poison the rest.
@pytest.mark.django_db(transaction=True)
def test_a_form_post_whose_write_fails_saves_nothing(manager_client):
    is_write = failing(when=lambda sql: sql.lstrip().upper().startswith(("INSERT", "UPDATE")))

    with connection.execute_wrapper(is_write):
        response = manager_client.post(reverse("reporting:emails"), SUBSCRIPTION)

    assert_busy_page(response)
    assert "Go back and send the form again" in response.content.decode()
    assert not ReportSubscription.objects.exists()
    response = manager_client.post(reverse("reporting:emails"), SUBSCRIPTION)
    assert response.status_code == 302
    assert ReportSubscription.objects.count() == 1


@pytest.mark.django_db
def test_a_closed_connection_is_a_503_too(manager_client):
    closed = failing(
        when=past_sign_in, error=lambda sql: InterfaceError("connection already closed")
    )

    with connection.execute_wrapper(closed):
        response = manager_client.get(reverse("home"))

    assert_busy_page(response)


@pytest.mark.django_db
def test_a_database_bug_is_not_mistaken_for_an_outage(manager_client):
    """A missing table is a missing migration, not a passing outage: it stays a 500."""
    manager_client.raise_request_exception = False
    missing = failing(
        when=past_sign_in, error=lambda sql: OperationalError("no such table: reporting_x")
    )

    with connection.execute_wrapper(missing):
        response = manager_client.get(reverse("reporting:emails"))

    assert response.status_code == 500


@pytest.mark.django_db
def test_the_webhook_receiver_keeps_its_own_json_503(client):
    """Klenty is no browser: the receiver answers its outages itself, in JSON."""
    with connection.execute_wrapper(failing()):
        response = client.post(
            "/hooks/klenty/some-token/", data=b"{}", content_type="application/json"
        )

    assert response.status_code == 503
    assert response.json() == {"error": "Not stored; please send it again later."}
    assert response["Retry-After"] == "5"
