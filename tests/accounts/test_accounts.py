from __future__ import annotations

import pytest
from django.http import HttpRequest
from django.urls import reverse

from klentyadmin.accounts.demo import ensure_demo_users
from klentyadmin.accounts.models import Role, User
from tests.conftest import PASSWORD


def test_signing_in_lands_on_the_dashboard(client, manager_user):
    response = client.post(reverse("login"), {"username": "morgan", "password": PASSWORD})

    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_a_wrong_password_shows_a_message(client, manager_user):
    response = client.post(reverse("login"), {"username": "morgan", "password": "nope"})

    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()


def test_signing_out_needs_a_post_and_ends_the_session(manager_client):
    assert manager_client.get(reverse("logout")).status_code == 405

    manager_client.post(reverse("logout"))

    assert manager_client.get(reverse("home")).status_code == 302


def test_changing_the_password(manager_client, manager_user):
    response = manager_client.post(
        reverse("password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "a-much-longer-passphrase-9",
            "new_password2": "a-much-longer-passphrase-9",
        },
    )

    assert response.status_code == 302
    manager_user.refresh_from_db()
    assert manager_user.check_password("a-much-longer-passphrase-9")


def test_a_superuser_is_always_an_admin(db):
    user = User.objects.create_superuser("root", "root@northwind.example", PASSWORD)

    assert user.role == Role.ADMIN
    assert user.is_admin


@pytest.mark.django_db
def test_the_demo_users_exist_once_each_with_their_roles(client):
    ensure_demo_users()
    logins = ensure_demo_users()

    assert User.objects.count() == len(logins) == 3
    for login in logins:
        user = User.objects.get(username=login.username)
        assert user.role == login.role
        # django-axes checks every sign-in, so it needs the request a real sign-in has.
        assert client.login(request=HttpRequest(), username=login.username, password=login.password)
    assert User.objects.get(username="rep").klenty_email == "priya.natarajan@northwind.example"


@pytest.mark.django_db
def test_the_demo_users_are_linked_to_the_klenty_members_the_settings_name(settings):
    settings.DEMO_MANAGER_KLENTY_EMAIL = "lead@acme.example"
    settings.DEMO_REP_KLENTY_EMAIL = "seller@acme.example"

    ensure_demo_users()

    assert User.objects.get(username="manager").klenty_email == "lead@acme.example"
    assert User.objects.get(username="rep").klenty_email == "seller@acme.example"


def test_an_overlong_username_is_refused_by_the_form_before_any_sign_in_is_tried(client, db):
    from axes.models import AccessAttempt

    response = client.post(reverse("login"), {"username": "u" * 10_000, "password": "x"})

    assert response.status_code == 200
    assert "at most 150 characters" in response.content.decode()
    assert not AccessAttempt.objects.exists()
