from __future__ import annotations

import pytest
from django.db import connection as db
from django.urls import reverse

from klentyadmin.core.models import Connection, Service
from klentyadmin.integrations.klenty.target import klenty_target

SECRET = "kl-live-4f9a2c7e1b3d5f60a8"


def save_key(
    client, key=SECRET, team="morgan.hale@northwind.example\npriya.natarajan@northwind.example"
):
    return client.post(reverse("connections"), {"api_key": key, "team_emails": team})


def test_the_key_is_encrypted_in_the_database(admin_client):
    save_key(admin_client)

    with db.cursor() as cursor:
        cursor.execute("SELECT api_key_encrypted, api_key_last4 FROM core_connection")
        encrypted, last4 = cursor.fetchone()
    assert SECRET not in encrypted
    assert last4 == SECRET[-4:]
    assert Connection.objects.get(service=Service.KLENTY).api_key() == SECRET


def test_the_key_is_never_shown_back(admin_client):
    save_key(admin_client)

    body = admin_client.get(reverse("connections")).content.decode()

    assert SECRET not in body
    assert SECRET[-4:] in body


def test_a_stored_key_switches_off_the_sandbox(admin_client, settings):
    settings.KLENTY_API_KEY = ""
    save_key(admin_client)

    target = klenty_target()

    assert not target.sandbox
    assert target.api_base == "https://api.klenty.com/apis/v1"
    assert target.team_emails == (
        "morgan.hale@northwind.example",
        "priya.natarajan@northwind.example",
    )
    assert target.key_source == "connections page"


def test_the_environment_overrides_the_stored_key(admin_client, settings):
    save_key(admin_client)
    settings.KLENTY_API_KEY = "env-key-123456789"
    settings.KLENTY_TEAM_EMAILS = ["ops@northwind.example"]

    target = klenty_target()

    assert target.api_key == "env-key-123456789"
    assert target.key_source == "environment"
    assert target.default_user == "ops@northwind.example"


def test_without_a_key_the_sandbox_is_the_target_and_every_page_says_so(admin_client, settings):
    settings.KLENTY_API_KEY = ""

    body = admin_client.get(reverse("home")).content.decode()

    assert klenty_target().sandbox
    assert 'class="badge badge-sandbox"' in body


def test_a_blank_key_field_keeps_the_stored_key(admin_client):
    save_key(admin_client)

    save_key(admin_client, key="")

    assert Connection.objects.get().api_key() == SECRET


def test_clearing_the_key_returns_to_the_sandbox(admin_client, settings):
    settings.KLENTY_API_KEY = ""
    save_key(admin_client)

    admin_client.post(reverse("connections"), {"clear_key": "on", "team_emails": ""})

    assert klenty_target().sandbox


def test_a_bad_team_email_is_shown_against_the_field_and_nothing_is_saved(admin_client):
    response = save_key(admin_client, team="morgan.hale@northwind.example\nnot-an-email")

    assert response.status_code == 200
    assert "Line 2: &#x27;not-an-email&#x27; is not an email address." in response.content.decode()
    assert not Connection.objects.exists()


@pytest.mark.django_db
def test_testing_the_connection_against_the_sandbox_succeeds(admin_client, sandbox):
    response = admin_client.post(reverse("test_connection"), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert "Connected: Klenty answered with 8 lists." in body
    assert Connection.objects.get().last_success_at is not None


@pytest.mark.django_db
def test_a_rejected_key_is_reported_and_remembered(admin_client, sandbox, settings):
    settings.KLENTY_API_KEY = "wrong-key-000000"
    settings.KLENTY_API_BASE = settings.KLENTY_APP_BASE = sandbox.klenty_base
    settings.KLENTY_TEAM_EMAILS = ["morgan.hale@northwind.example"]

    response = admin_client.post(reverse("test_connection"), headers={"HX-Request": "true"})

    body = response.content.decode()
    assert "API key" in body
    assert "wrong-key-000000" not in body
    assert "API key" in Connection.objects.get().last_error


@pytest.mark.django_db
def test_the_key_is_in_no_page_after_it_was_used(admin_client, sandbox, settings):
    save_key(admin_client)
    stored = Connection.objects.get()
    # Point the stored key at the sandbox so the test call reaches it (and is refused).
    settings.KLENTY_API_BASE = settings.KLENTY_APP_BASE = sandbox.klenty_base
    admin_client.post(reverse("test_connection"), headers={"HX-Request": "true"})

    pages = ["home", "connections", "api_health", "audit_log", "prospects:search", "cadences:list"]
    for name in pages:
        body = admin_client.get(reverse(name)).content.decode()
        assert SECRET not in body, name
        assert stored.api_key_encrypted not in body, name
    assert "API key" in Connection.objects.get().last_error
