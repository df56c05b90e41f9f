"""Thousands of query parameters: a plain 400 under DEBUG as in production, through the
test client and through a real runserver started with DEBUG=True (as `bin/run` does)."""

from __future__ import annotations

import os

import pytest
import requests

from tests.fixtures.runserver import runserver
from tests.fixtures.workers import manage

MESSAGE = "This address has more than 1,000 parameters"
TOO_MANY = "&".join(f"f{n}=x" for n in range(1500))


def assert_plain_refusal(status: int, content_type: str, body: str) -> None:
    assert status == 400
    assert content_type.startswith("text/plain")
    assert MESSAGE in body
    assert "Traceback" not in body


@pytest.mark.django_db
@pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])
@pytest.mark.parametrize("path", ["/prospects/", "/accounts/login/"])
def test_too_many_query_parameters_are_a_plain_400(manager_client, settings, debug, path):
    settings.DEBUG = debug

    response = manager_client.get(f"{path}?{TOO_MANY}")

    assert_plain_refusal(response.status_code, response["Content-Type"], response.text)


@pytest.mark.django_db
def test_as_many_query_parameters_as_django_accepts_still_work(manager_client, settings):
    settings.DEBUG = True
    exactly = "&".join(f"f{n}=x" for n in range(settings.DATA_UPLOAD_MAX_NUMBER_FIELDS))

    assert manager_client.get(f"/prospects/?{exactly}").status_code == 200


@pytest.fixture
def debug_runserver(tmp_path):
    """`manage.py runserver` with DEBUG=True on a migrated database, as `bin/run` starts
    it; its base URL."""
    env = {**os.environ, "DEBUG": "true", "KLENTYADMIN_VAR_DIR": str(tmp_path)}
    env.pop("DATABASE_URL", None)  # a SQLite file of its own, whichever pass this is
    manage(env, "migrate", "--noinput")
    with runserver(env, tmp_path / "runserver.log") as base:
        yield base


def test_runserver_under_debug_answers_too_many_query_parameters_with_a_400(debug_runserver):
    response = requests.get(f"{debug_runserver}/accounts/login/?{TOO_MANY}", timeout=10)

    assert_plain_refusal(response.status_code, response.headers["Content-Type"], response.text)
