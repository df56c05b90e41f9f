"""OpenID Connect sign-in against a real provider on loopback (tests/oidc_provider/):
accounts on first sign-in for allowed domains, the role from the group claim."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klentyadmin.accounts.models import Role, User
from tests.fixtures.oidc import console_client

pytestmark = pytest.mark.django_db


def test_a_rep_signing_in_for_the_first_time_gets_an_account_with_the_mapped_role(oidc_provider):
    client = console_client()

    answer = oidc_provider.sign_in(client, "rafa")

    assert answer.status_code == 302
    assert answer["Location"] == reverse("home")
    user = User.objects.get(email="rafa.rep@northwind.example")
    assert (user.role, user.first_name, user.last_name) == (Role.REP, "Rafa", "Rep")
    assert client.get(reverse("home")).status_code == 200


def test_the_role_is_refreshed_from_the_groups_at_each_sign_in(oidc_provider):
    oidc_provider.sign_in(console_client(), "rafa")
    oidc_provider.set_groups("rafa", ["sales-managers"])

    oidc_provider.sign_in(console_client(), "rafa")

    assert User.objects.get(email="rafa.rep@northwind.example").role == Role.MANAGER


def test_someone_in_several_mapped_groups_gets_the_most_powerful_role(oidc_provider):
    oidc_provider.set_groups("rafa", ["sales-reps", "sales-managers"])

    oidc_provider.sign_in(console_client(), "rafa")

    assert User.objects.get(email="rafa.rep@northwind.example").role == Role.MANAGER


def test_someone_in_no_mapped_group_is_refused_with_a_clear_message(oidc_provider):
    client = console_client()

    answer = oidc_provider.sign_in(client, "nico")

    assert answer.status_code == 403
    assert "not in a group that has a role in klentyadmin" in answer.content.decode()
    assert not User.objects.filter(email="nico.nogroup@northwind.example").exists()
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_a_known_user_who_loses_every_mapped_group_is_refused(oidc_provider):
    oidc_provider.sign_in(console_client(), "rafa")
    oidc_provider.set_groups("rafa", [])
    client = console_client()

    answer = oidc_provider.sign_in(client, "rafa")

    assert answer.status_code == 403
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_an_email_domain_that_is_not_allowed_gets_no_account(oidc_provider):
    answer = oidc_provider.sign_in(console_client(), "olga")

    assert answer.status_code == 403
    assert "outsider.example addresses cannot sign in" in answer.content.decode()
    assert not User.objects.filter(email="olga@outsider.example").exists()


def test_a_user_an_admin_added_signs_in_to_that_same_account(oidc_provider):
    added = User.objects.create_user("mona", "Mona.Manager@northwind.example", role=Role.REP)

    oidc_provider.sign_in(console_client(), "mona")

    added.refresh_from_db()
    assert added.role == Role.MANAGER
    assert User.objects.filter(email__iexact="mona.manager@northwind.example").count() == 1


def test_an_admin_signing_in_for_the_first_time_must_enroll_before_anything_else(oidc_provider):
    client = console_client()
    oidc_provider.sign_in(client, "ada")
    enroll = reverse("mfa_activate_totp")

    for page in (reverse("home"), reverse("prospects:search"), reverse("usersessions_list")):
        assert client.get(page)["Location"] == enroll, page
    assert client.get(enroll).status_code == 200


def test_a_provider_stored_in_the_database_is_ignored(oidc_provider, settings):
    from allauth.socialaccount.models import SocialApp
    from django.test import Client

    settings.SOCIALACCOUNT_PROVIDERS = {"openid_connect": {"APPS": []}}
    SocialApp.objects.create(
        provider="openid_connect",
        provider_id="sso",
        name="From the database",
        client_id="x",
        secret="stored-secret",
        settings={"server_url": oidc_provider.issuer},
    )

    assert "From the database" not in Client().get(reverse("login")).content.decode()
    assert Client().post("/accounts/oidc/sso/login/").status_code == 404


def test_an_admin_who_signed_in_through_sso_can_still_enroll_later(oidc_provider):
    from datetime import timedelta

    import time_machine
    from django.utils import timezone

    from tests.fixtures.two_factor import totp_code

    client = console_client()
    oidc_provider.sign_in(client, "ada")
    with time_machine.travel(timezone.now() + timedelta(minutes=30)):
        page = client.get(reverse("mfa_activate_totp"))
        assert page.status_code == 200  # no password to re-enter, and no dead end
        secret = page.context["form"].secret
        enrolled = client.post(reverse("mfa_activate_totp"), {"code": totp_code(secret)})
    assert enrolled["Location"] == reverse("mfa_view_recovery_codes")
