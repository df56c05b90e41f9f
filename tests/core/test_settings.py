from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django_q.models import Schedule

from klentyadmin.core.schedules import SCHEDULES, ensure_schedules

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    # The browser tests allow sync ORM calls beside Playwright's event loop; a
    # deployment never does, so that switch is not passed on.
    inherited = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**inherited, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


PRODUCTION = {
    "KLENTYADMIN_ENV": "production",
    "SECRET_KEY": "x" * 20 + "Q2v9!mR#t7pL0zW4&kB8yN1eH6uJ3sF5",
    "ALLOWED_HOSTS": "klentyadmin.northwind.example",
}
DEPLOY_CHECK = ("check", "--deploy", "--fail-level", "WARNING")


def test_production_settings_pass_the_deployment_checks(tmp_path):
    result = run_manage(*DEPLOY_CHECK, **PRODUCTION, KLENTYADMIN_VAR_DIR=str(tmp_path))

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = run_manage(
        "check", KLENTYADMIN_ENV="production", SECRET_KEY="", KLENTYADMIN_VAR_DIR=str(tmp_path)
    )

    assert result.returncode != 0
    assert "SECRET_KEY must be set in production" in result.stderr


def test_a_malformed_number_in_the_environment_is_named(tmp_path):
    result = run_manage(
        "check", KLENTY_RATE_LIMIT_PER_MIN="sixty", KLENTYADMIN_VAR_DIR=str(tmp_path)
    )

    assert result.returncode != 0
    assert "KLENTY_RATE_LIMIT_PER_MIN must be a whole number, not 'sixty'" in result.stderr


@pytest.mark.django_db
def test_schedules_are_declared_once_however_often_migrate_runs():
    ensure_schedules()
    ensure_schedules()

    assert Schedule.objects.filter(name__in=[s.name for s in SCHEDULES]).count() == len(SCHEDULES)


def test_production_cookies_are_secure_http_only_and_same_site(tmp_path):
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_HTTPONLY, s.SESSION_COOKIE_SAMESITE, "
        "s.CSRF_COOKIE_SAMESITE, s.SECURE_SSL_REDIRECT)",
        KLENTYADMIN_ENV="production",
        SECRET_KEY="x" * 20 + "Q2v9!mR#t7pL0zW4&kB8yN1eH6uJ3sF5",
        ALLOWED_HOSTS="klentyadmin.northwind.example",
        KLENTYADMIN_VAR_DIR=str(tmp_path),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["True", "True", "True", "Lax", "Lax", "True"]
