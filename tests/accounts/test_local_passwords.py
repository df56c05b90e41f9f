"""LOCAL_PASSWORDS=false: the login page offers only single sign-on, and a posted
password signs nobody in."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from django.urls import reverse

from klentyadmin.accounts.models import Role
from klentyadmin.accounts.sign_in_settings import ROLE_NAMES, parse_role_map
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_with_a_provider_the_login_page_offers_it_beside_the_password(oidc_provider):
    page = Client().get(reverse("login")).content.decode()

    assert "Sign in with Test IdP" in page
    assert 'name="password"' in page


def test_with_local_passwords_off_only_the_provider_is_offered(settings, oidc_provider):
    settings.LOCAL_PASSWORDS = False

    page = Client().get(reverse("login")).content.decode()

    assert "Sign in with Test IdP" in page
    assert 'name="password"' not in page


def test_with_local_passwords_off_a_posted_password_signs_nobody_in(settings, manager_user):
    settings.LOCAL_PASSWORDS = False
    client = Client()

    client.post(reverse("login"), {"username": "morgan", "password": PASSWORD})

    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def test_the_role_map_reads_group_equals_role_pairs():
    assert parse_role_map("X", "klenty-admins=admin, sales=rep") == {
        "klenty-admins": "admin",
        "sales": "rep",
    }


@pytest.mark.parametrize("raw", ["admins", "admins=owner", "=admin"])
def test_a_bad_role_map_stops_start_up_naming_the_setting(raw):
    with pytest.raises(ImproperlyConfigured, match="OIDC_ROLE_MAP"):
        parse_role_map("OIDC_ROLE_MAP", raw)


def test_the_settings_know_every_role():
    assert set(ROLE_NAMES) == set(Role.values)


def test_production_settings_with_single_sign_on_pass_the_deployment_checks(tmp_path):
    from tests.core.test_settings import DEPLOY_CHECK, PRODUCTION, run_manage

    result = run_manage(
        *DEPLOY_CHECK,
        **PRODUCTION,
        KLENTYADMIN_VAR_DIR=str(tmp_path),
        OIDC_SERVER_URL="https://login.northwind.example/realms/staff",
        OIDC_CLIENT_ID="klentyadmin",
        OIDC_CLIENT_SECRET="from-the-environment",
        OIDC_ROLE_MAP="klenty-admins=admin",
        LOCAL_PASSWORDS="false",
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_switching_local_passwords_off_without_a_provider_stops_start_up(tmp_path):
    from tests.core.test_settings import run_manage

    result = run_manage("check", LOCAL_PASSWORDS="false", KLENTYADMIN_VAR_DIR=str(tmp_path))

    assert result.returncode != 0
    assert "LOCAL_PASSWORDS=false needs OIDC_SERVER_URL" in result.stderr
