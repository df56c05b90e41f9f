"""Sign-in throttling (django-axes): repeated wrong passwords lock out that username
from that address, with a page that says why, and nobody else."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from tests.conftest import PASSWORD

OFFICE = "203.0.113.10"
ELSEWHERE = "198.51.100.7"


PROXY = "10.0.0.2"  # the README's TLS proxy, in front of every client


def sign_in(username: str, password: str, address: str = OFFICE, forwarded_for: str = ""):
    headers = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for else {}
    return Client(REMOTE_ADDR=address, **headers).post(
        reverse("login"), {"username": username, "password": password}
    )


LIMIT = 3


def fail(times: int, username: str = "morgan", address: str = OFFICE, **through) -> None:
    """Wrong passwords: the form's message below the limit, the lockout page at it."""
    for attempt in range(1, times + 1):
        expected = 429 if attempt >= LIMIT else 200
        assert sign_in(username, "wrong password", address, **through).status_code == expected


@pytest.fixture(autouse=True)
def limit_of_three(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


def test_below_the_limit_the_right_password_still_works(manager_user):
    fail(2)

    response = sign_in("morgan", PASSWORD)

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_success_resets_the_count(manager_user):
    fail(2)
    assert sign_in("morgan", PASSWORD).status_code == 302
    fail(2)

    assert sign_in("morgan", PASSWORD).status_code == 302


def test_at_the_limit_even_the_right_password_is_refused_with_a_message(manager_user):
    fail(2)
    locking = sign_in("morgan", "wrong password")

    assert locking.status_code == 429
    assert "Too many sign-in attempts" in locking.content.decode()
    assert "paused for 15 minutes" in locking.content.decode()
    refused = sign_in("morgan", PASSWORD)
    assert refused.status_code == 429
    assert "_auth_user_id" not in refused.client.session
    # The refused attempt, right password or not, counts as one more failure.
    attempt = AccessAttempt.objects.get(username="morgan", ip_address=OFFICE)
    assert attempt.failures_since_start == 4


def test_the_lockout_touches_only_that_username_from_that_address(manager_user, rep_user):
    fail(3)

    assert sign_in("morgan", PASSWORD).status_code == 429
    assert sign_in("morgan", PASSWORD, ELSEWHERE).status_code == 302
    assert sign_in(rep_user.username, PASSWORD).status_code == 302


def test_the_lockout_ends_after_the_cool_off(manager_user, settings):
    import time_machine
    from django.utils import timezone

    fail(3)
    assert sign_in("morgan", PASSWORD).status_code == 429

    with time_machine.travel(timezone.now() + settings.AXES_COOLOFF_TIME, tick=False):
        assert sign_in("morgan", PASSWORD).status_code == 302


# -- behind the TLS proxy ----------------------------------------------------------


def test_behind_a_trusted_proxy_two_clients_are_locked_out_separately(manager_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    fail(3, address=PROXY, forwarded_for=OFFICE)

    assert sign_in("morgan", PASSWORD, PROXY, forwarded_for=OFFICE).status_code == 429
    assert sign_in("morgan", PASSWORD, PROXY, forwarded_for=ELSEWHERE).status_code == 302
    assert AccessAttempt.objects.get(username="morgan").ip_address == OFFICE


def test_behind_a_trusted_proxy_an_address_the_client_adds_is_not_believed(manager_user, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    fail(3, address=PROXY, forwarded_for=OFFICE)

    # The proxy appends the address it saw; what the client put before it is its own.
    forged = f"{ELSEWHERE}, {OFFICE}"
    assert sign_in("morgan", PASSWORD, PROXY, forwarded_for=forged).status_code == 429


def test_without_a_trusted_proxy_a_forged_forwarded_for_does_not_escape_a_lockout(
    manager_user, settings
):
    settings.TRUSTED_PROXY_COUNT = 0
    fail(3)

    assert sign_in("morgan", PASSWORD, forwarded_for=ELSEWHERE).status_code == 429
    assert AccessAttempt.objects.get(username="morgan").ip_address == OFFICE


@pytest.mark.parametrize(
    ("count", "forwarded_for", "address"),
    [
        (0, OFFICE, PROXY),  # no trusted proxy: the header is the client's own words
        (1, OFFICE, OFFICE),
        (1, f"{ELSEWHERE}, {OFFICE}", OFFICE),
        (2, f"{ELSEWHERE}, {OFFICE}", ELSEWHERE),
        (2, OFFICE, PROXY),  # fewer hops than proxies: not through them all
        (1, "not-an-address", PROXY),
        (1, "", PROXY),
    ],
)
def test_the_client_address_is_read_through_the_trusted_proxies(
    rf, settings, count, forwarded_for, address
):
    from klentyadmin.lib.client_address import client_address

    settings.TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=forwarded_for)

    assert client_address(request) == address
