"""The three vendors' connection settings pages share one shape: the same save,
the same key handling (encrypted at rest, only its last four characters shown),
the same "Test connection" (an HTMX fragment, or the page without JavaScript).
Each page keeps its own URL."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import reverse

from contacts.views import CRM
from enrichment.views import SNOV
from klentyadmin.core.connection_settings import PARTIAL, VendorConnection
from klentyadmin.core.models import Connection
from klentyadmin.core.views import KLENTY
from klentyadmin.integrations.snov.client import forget_tokens

SECRET = "sk-live-9f8e7d6c5b4a"


@dataclass(frozen=True)
class Page:
    vendor: VendorConnection
    url: str
    test_url: str
    fields: dict  # a valid save, beside the key
    connected: str  # what a working test says


PAGES = [
    Page(
        KLENTY,
        "/settings/connections/",
        "/settings/connections/test/",
        {"team_emails": "morgan.hale@northwind.example"},
        "Connected: Klenty answered with 8 lists.",
    ),
    Page(
        SNOV,
        "/enrichment/settings/",
        "/enrichment/settings/test/",
        {"client_id": "snov-client-1"},
        "Connected. Balance: 500 credits.",
    ),
    Page(
        CRM,
        "/contacts/settings/",
        "/contacts/settings/test/",
        {},
        "Connected as <strong>Morgan Hale</strong>",
    ),
]
pages = pytest.mark.parametrize("page", PAGES, ids=lambda p: p.vendor.name)


@pytest.fixture(autouse=True)
def _every_vendor_on_the_sandbox(settings):
    settings.SNOV_CLIENT_ID = settings.SNOV_CLIENT_SECRET = settings.SNOV_API_BASE = ""
    settings.CRM_API_KEY = settings.CRM_API_BASE = ""
    settings.SANDBOX_CRM_KEY = "sandbox-crm-key"
    forget_tokens()
    yield
    forget_tokens()


@pages
def test_each_page_keeps_its_url_and_uses_the_shared_partial(admin_client, db, page):
    assert reverse(page.vendor.page_url) == page.url
    assert reverse(page.vendor.test_url) == page.url + "test/"
    response = admin_client.get(page.url)
    assert PARTIAL in [t.name for t in response.templates]
    assert "calls go to the embedded sandbox" in response.content.decode()


@pages
def test_each_page_stores_the_key_encrypted_and_shows_only_its_last_four(admin_client, db, page):
    response = admin_client.post(page.url, {"api_key": SECRET, **page.fields})

    assert response.status_code == 302
    stored = Connection.objects.get(service=page.vendor.service)
    assert SECRET not in stored.api_key_encrypted
    assert stored.api_key() == SECRET
    body = admin_client.get(page.url).content.decode()
    assert SECRET not in body and SECRET[:-4] not in body
    assert f"•••• {SECRET[-4:]}" in body


@pages
def test_each_page_refuses_a_key_that_cannot_be_one_and_saves_nothing(admin_client, db, page):
    response = admin_client.post(page.url, {"api_key": "short", **page.fields})

    assert response.status_code == 200
    assert "That does not look like a" in response.content.decode()
    assert not Connection.objects.filter(service=page.vendor.service).exists()


@pages
def test_each_page_tests_its_connection_in_place(admin_client, sandbox, page):
    response = admin_client.post(page.test_url, headers={"HX-Request": "true"})

    body = response.content.decode()
    assert "<html" not in body
    assert 'data-testid="connection-test-ok"' in body
    assert page.connected in body
    assert Connection.objects.get(service=page.vendor.service).last_success_at is not None


@pages
def test_without_javascript_the_test_result_is_shown_on_the_page(admin_client, sandbox, page):
    response = admin_client.post(page.test_url)

    body = response.content.decode()
    assert "<html" in body
    assert page.connected in body


@pages
def test_a_failed_test_is_reported_without_the_key_and_remembered(
    admin_client, sandbox, settings, page
):
    # Each vendor's environment override, pointed at the sandbox with a wrong key.
    settings.KLENTY_API_KEY, settings.CRM_API_KEY = "wrong-key-000000", "wrong-key-000000"
    settings.SNOV_CLIENT_ID, settings.SNOV_CLIENT_SECRET = "wrong-client", "wrong-key-000000"
    settings.KLENTY_API_BASE = settings.KLENTY_APP_BASE = sandbox.klenty_base
    settings.KLENTY_TEAM_EMAILS = ["morgan.hale@northwind.example"]
    settings.SNOV_API_BASE, settings.CRM_API_BASE = f"{sandbox.url}/snov", f"{sandbox.url}/crm"

    body = admin_client.post(page.test_url, headers={"HX-Request": "true"}).content.decode()

    assert 'data-testid="connection-test-error"' in body
    assert "wrong-key-000000" not in body
    assert Connection.objects.get(service=page.vendor.service).last_error
    page_body = admin_client.get(page.url).content.decode()
    assert "set in the environment; " in page_body
    assert "wrong-key-000000" not in page_body
