from __future__ import annotations

import uuid

import pytest

pytest_plugins = [
    "tests.fixtures.sandbox",
    "tests.fixtures.browser",
    "tests.fixtures.concurrency",
    "tests.fixtures.oidc",
]

PASSWORD = "correct-horse-battery"


@pytest.fixture(autouse=True)
def _tasks_run_inline(monkeypatch, settings, tmp_path):
    """django-q2 runs tasks in the test process, and the rate limiter's state
    lives in a per-test folder so tests never wait on each other's budget."""
    from django_q.conf import Conf

    monkeypatch.setattr(Conf, "SYNC", True)
    settings.RATE_LIMIT_DIR = tmp_path / "ratelimit"
    if settings.REDIS_URL:
        _isolate_redis(monkeypatch, settings)
    else:
        # The per-process cache holds allauth's rate limits (wrong sign-in codes are
        # counted per address): each test starts with none spent.
        from django.core.cache import cache

        cache.clear()
    # Test users need a password, not a slow one.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _isolate_redis(monkeypatch, settings) -> None:
    """On Redis (the PostgreSQL + Redis pass of bin/test) every test worker and
    every test shares one server: give each test its own rate-limit budgets and
    cache keys, as the per-test folder and the per-process cache do otherwise."""
    from klentyadmin.integrations.ratelimit import RedisRateLimiter

    namespace = f"test-{uuid.uuid4().hex}"
    shared_key = RedisRateLimiter._key
    monkeypatch.setattr(
        RedisRateLimiter, "_key", staticmethod(lambda key: shared_key(f"{namespace}:{key}"))
    )
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": namespace}}


def make_user(username: str, role: str, klenty_email: str = ""):
    from klentyadmin.accounts.models import User
    from tests.fixtures.two_factor import enroll_totp

    user = User.objects.create_user(
        username=username,
        password=PASSWORD,
        email=f"{username}@northwind.example",
        role=role,
        klenty_email=klenty_email,
    )
    # Admins must use two-factor sign-in (MFA_REQUIRED_ROLES): the standard one has enrolled.
    if role == "admin":
        enroll_totp(user)
    return user


@pytest.fixture
def admin_user(db):
    return make_user("alice", "admin")


@pytest.fixture
def manager_user(db):
    return make_user("morgan", "manager", "morgan.hale@northwind.example")


@pytest.fixture
def rep_user(db):
    return make_user("priya", "rep", "priya.natarajan@northwind.example")


@pytest.fixture
def other_rep_user(db):
    return make_user("diego", "rep", "diego.alvarez@northwind.example")


def signed_in_client(user):
    """A client of its own per user, so one test can act as several people."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client(admin_user):
    return signed_in_client(admin_user)


@pytest.fixture
def manager_client(manager_user):
    return signed_in_client(manager_user)


@pytest.fixture
def rep_client(rep_user):
    return signed_in_client(rep_user)
