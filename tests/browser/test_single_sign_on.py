"""Browser journeys through the loopback OpenID Connect provider and two-factor sign-in."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import sign_in
from tests.fixtures.two_factor import totp_code, wrong_code
from tests.oidc_provider.people import PASSWORD as IDP_PASSWORD

pytestmark = pytest.mark.browser


def test_an_admin_signs_in_through_the_provider_and_enrolls_an_authenticator_app(
    loopback_page, oidc_provider, sandbox, transactional_db
):
    page = loopback_page
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Sign in with Test IdP").click()

    # The provider's own login page, another origin.
    expect(page.get_by_role("heading", name="Test identity provider")).to_be_visible()
    page.get_by_label("IdP username").fill("ada")
    page.get_by_label("IdP password").fill(IDP_PASSWORD)
    page.get_by_role("button", name="Continue").click()

    # Back in klentyadmin: an Admin reaches nothing before enrolling.
    expect(page.get_by_role("heading", name="Set up two-factor sign-in")).to_be_visible()
    expect(page.locator(".message-warning")).to_contain_text("Your role must use two-factor")
    page.goto("/")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/totp/activate/$"))
    secret = page.get_by_test_id("totp-secret").input_value()
    page.get_by_label("Authenticator code").fill(totp_code(secret))
    page.get_by_role("button", name="Turn on").click()

    expect(page.get_by_role("heading", name="Recovery codes")).to_be_visible()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    page.get_by_role("link", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
    expect(page.get_by_test_id("role")).to_have_text("Admin")


def test_an_enrolled_user_is_refused_without_the_second_factor(page, demo_users):
    from klentyadmin.accounts.models import User
    from tests.fixtures.two_factor import totp_secret

    secret = totp_secret(User.objects.get(username="admin"))
    page.goto("/accounts/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill("klenty-admin")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Two-factor sign-in")).to_be_visible()

    page.get_by_label("Code").fill(wrong_code(secret))
    page.get_by_role("button", name="Sign in").click()

    expect(page.locator(".field-error")).to_contain_text("Incorrect code")
    expect(page).to_have_url(re.compile(r"/accounts/2fa/authenticate/$"))
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
    expect(page.get_by_test_id("role")).to_have_count(0)


def test_the_sessions_page_signs_out_everywhere(page, sandbox, demo_users):
    sign_in(page, "manager", "klenty-manager")
    page.get_by_role("link", name="Security").click()
    page.get_by_role("link", name="Where you are signed in").click()
    expect(page.get_by_test_id("sessions")).to_contain_text("This one")

    page.get_by_role("button", name="Sign out everywhere").click()

    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in", exact=True)).to_be_visible()
