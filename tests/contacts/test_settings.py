"""The CRM's connection settings: Admins only, key encrypted, never shown back."""

from __future__ import annotations

import pytest

from klentyadmin.core.models import Connection, Service


@pytest.mark.parametrize("who", ["manager_client", "rep_client"])
def test_only_admins_may_open_the_crm_settings(request, who):
    client = request.getfixturevalue(who)
    assert client.get("/contacts/settings/").status_code == 403
    assert client.post("/contacts/settings/test/").status_code == 403


def test_the_page_says_the_sandbox_is_in_use(admin_client, sandbox):
    html = admin_client.get("/contacts/settings/").content.decode()
    assert "calls go to the embedded sandbox" in html


def test_a_saved_key_is_encrypted_and_only_its_last_four_shown(admin_client, db):
    response = admin_client.post("/contacts/settings/", {"api_key": "sk-live-abcdef123456"})
    assert response.status_code == 302
    connection = Connection.objects.get(service=Service.CRM)
    assert connection.api_key() == "sk-live-abcdef123456"
    assert "abcdef" not in connection.api_key_encrypted
    html = admin_client.get("/contacts/settings/").content.decode()
    assert "•••• 3456" in html and "sk-live-abcdef123456" not in html


def test_a_blank_key_keeps_the_stored_one_and_clear_removes_it(admin_client, db):
    admin_client.post("/contacts/settings/", {"api_key": "sk-live-abcdef123456"})
    admin_client.post("/contacts/settings/", {"api_key": ""})
    assert Connection.objects.get(service=Service.CRM).api_key_last4 == "3456"
    admin_client.post("/contacts/settings/", {"api_key": "", "clear_key": "on"})
    assert Connection.objects.get(service=Service.CRM).api_key() == ""


def test_a_key_that_cannot_be_one_is_refused(admin_client, db):
    response = admin_client.post("/contacts/settings/", {"api_key": "short"})
    assert b"does not look like a CRM API key" in response.content
    assert not Connection.objects.filter(service=Service.CRM, api_key_last4="hort").exists()


def test_testing_the_connection_shows_the_user_and_workspace(admin_client, sandbox):
    response = admin_client.post("/contacts/settings/test/", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "Connected as <strong>Morgan Hale</strong>" in html
    assert "<strong>Northwind Traders</strong>" in html
    assert Connection.objects.get(service=Service.CRM).last_success_at is not None


def test_a_rejected_key_is_reported_and_remembered(admin_client, sandbox, settings):
    settings.CRM_API_BASE = f"{sandbox.url}/crm"
    admin_client.post("/contacts/settings/", {"api_key": "not-the-right-key"})
    response = admin_client.post("/contacts/settings/test/")
    html = response.content.decode()
    assert "The contacts CRM rejected the API key" in html
    assert "not-the-right-key" not in html
    assert "rejected" in Connection.objects.get(service=Service.CRM).last_error
