"""A manager moves people between the CRM and Klenty in the browser."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from klentyadmin.integrations.klenty import KlentyClient
from sandbox.team import MANAGER_EMAIL
from tests.contacts.helpers import cache, crm_contacts, klenty_emails
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser


def test_a_manager_imports_crm_contacts_and_pushes_a_prospect_back(page, sandbox, demo_users):
    in_klenty = klenty_emails(sandbox)
    person = next(c for c in crm_contacts(sandbox) if c["email"] and c["email"] not in in_klenty)
    prospect = cache("zephyr.lane@zephyrline.example", MANAGER_EMAIL, company="Zephyrline")
    sign_in(page, "manager", "klenty-manager")

    page.get_by_role("link", name="Contacts").click()
    expect(page.get_by_test_id("contact-count")).to_contain_text("300 contacts")
    expect(page.get_by_test_id("lead-status").first).to_be_visible()
    page.get_by_label("Search first name, last name or email").press_sequentially(person["email"])
    expect(page.get_by_test_id("contact-count")).to_contain_text("1 contact match")

    page.get_by_label("Select all on this page").check()
    page.get_by_role("button", name="Import into Klenty…").click()
    expect(page.get_by_test_id("mapping")).to_contain_text("companyName")
    expect(page.get_by_test_id("import-send-count")).to_have_text("1")
    page.get_by_label("Klenty list").fill("From the CRM")
    page.get_by_role("button", name="Import 1 into Klenty").click()
    expect(page.get_by_test_id("transfer-percent")).to_have_text("100%")
    expect(page.get_by_test_id("transfer-items")).to_contain_text("Added to Klenty")
    assert KlentyClient.from_settings().get_prospect(person["email"]).list_name == "From the CRM"

    page.goto("/contacts/push/?q=zephyr")
    page.get_by_label(f"Select {prospect.display_name}").check()
    page.get_by_role("button", name="Push to the CRM…").click()
    expect(page.get_by_test_id("push-count")).to_have_text("1")
    page.get_by_label("Lead status").select_option(label="Qualified Lead")
    page.get_by_role("button", name="Push 1 to the CRM").click()
    expect(page.get_by_test_id("transfer-percent")).to_have_text("100%")
    expect(page.get_by_test_id("transfer-items")).to_contain_text("Created in the CRM")
    (contact,) = crm_contacts(sandbox, prospect.email)
    assert contact["leadStatus"]["label"] == "Qualified Lead"
