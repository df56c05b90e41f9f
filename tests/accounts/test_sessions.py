"""Sessions: an idle timeout, the list of one's own sessions, and signing out everywhere."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def signed_in(username: str, browser: str) -> Client:
    client = Client(HTTP_USER_AGENT=browser)
    client.post(reverse("login"), {"username": username, "password": PASSWORD})
    assert client.get(reverse("home")).status_code == 200
    return client


def is_signed_in(client: Client) -> bool:
    return client.get(reverse("home")).status_code == 200


def test_the_idle_timeout_is_eight_hours_by_default(settings):
    assert settings.SESSION_IDLE_HOURS == 8
    assert settings.SESSION_COOKIE_AGE == 8 * 3600


def test_requests_close_together_do_not_write_the_session(manager_user):
    from django.contrib.sessions.models import Session

    client = signed_in("morgan", "Firefox")
    expiry = Session.objects.get().expire_date

    assert is_signed_in(client)
    assert Session.objects.get().expire_date == expiry


def test_a_session_idle_for_longer_than_the_timeout_is_signed_out(manager_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = signed_in("morgan", "Firefox")
        clock.shift(timedelta(hours=8, minutes=1))

        assert not is_signed_in(client)


def test_a_session_in_use_stays_signed_in_past_the_timeout(manager_user):
    with time_machine.travel(timezone.now(), tick=False) as clock:
        client = signed_in("morgan", "Firefox")
        for _ in range(3):
            clock.shift(timedelta(hours=7))
            assert is_signed_in(client)


def test_the_sessions_page_lists_only_the_users_own_sessions(manager_user, rep_user):
    laptop = signed_in("morgan", "Firefox on the laptop")
    signed_in("morgan", "Safari on the phone")
    signed_in("priya", "Chrome of another person")

    page = laptop.get(reverse("usersessions_list")).content.decode()

    assert "Firefox on the laptop" in page
    assert "Safari on the phone" in page
    assert "Chrome of another person" not in page
    assert "Sign out the other 1 session" in page


def test_signing_out_the_other_sessions_keeps_this_one(manager_user):
    laptop = signed_in("morgan", "Firefox")
    phone = signed_in("morgan", "Safari")

    laptop.post(reverse("usersessions_list"))

    assert is_signed_in(laptop)
    assert not is_signed_in(phone)


def test_sign_out_everywhere_ends_every_session_of_the_user_and_no_one_elses(
    manager_user, rep_user
):
    laptop = signed_in("morgan", "Firefox")
    phone = signed_in("morgan", "Safari")
    colleague = signed_in("priya", "Chrome")

    answer = laptop.post(reverse("sign_out_everywhere"))

    assert answer["Location"] == reverse("login")
    assert not is_signed_in(laptop)
    assert not is_signed_in(phone)
    assert is_signed_in(colleague)
