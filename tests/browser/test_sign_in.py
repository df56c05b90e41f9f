from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("username", ["admin", "manager", "rep"])
def test_each_demo_user_signs_in_sees_the_sandbox_dashboard_and_signs_out(
    page, sandbox, demo_users, username
):
    login = next(login for login in demo_users if login.username == username)

    sign_in(page, login.username, login.password)

    expect(page.get_by_role("heading", level=1)).to_contain_text("Good to see you")
    expect(page.locator(".topbar .badge-sandbox")).to_have_text("Sandbox")
    expect(page.get_by_test_id("role")).to_have_text(login.role.capitalize())
    # The connection is on the Admins' System page; Home is the cockpit.
    if login.role == "admin":
        page.goto("/system/")
        expect(page.locator("#connection")).to_contain_text(sandbox.klenty_base)
    else:
        expect(page.get_by_test_id("attention")).to_be_visible()

    page.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))
    page.goto("/")
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()


def test_a_wrong_password_is_refused_with_a_message(page, demo_users):
    sign_in(page, "manager", "not-the-password")

    expect(page.locator(".errors")).to_contain_text("Please enter a correct username and password")


def test_admin_tests_the_connection_against_the_sandbox(page, sandbox, demo_users):
    sign_in(page, "admin", "klenty-admin")
    page.get_by_role("link", name="Settings", exact=True).click()

    page.get_by_role("button", name="Test connection").click()

    expect(page.locator("#test-result")).to_contain_text("Connected: Klenty answered with 8 lists")
