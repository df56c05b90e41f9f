"""The CRM client against the CRM sandbox over real HTTP: one test per method at least."""

from __future__ import annotations

import pytest

from klentyadmin.core.models import ApiCall, AuditEntry, Connection, Service
from klentyadmin.integrations.crm import ContactFields, CrmClient
from klentyadmin.integrations.crm.target import crm_target
from klentyadmin.integrations.errors import ApiAuthError, ApiUnavailable, ApiValidationError


@pytest.fixture(autouse=True)
def _crm_on_the_sandbox(settings):
    settings.CRM_RATE_LIMIT_PER_MIN = 100_000
    settings.API_BACKOFF_CAP = 0.05
    settings.CRM_API_KEY = ""
    settings.CRM_API_BASE = ""
    settings.SANDBOX_CRM_KEY = "sandbox-crm-key"


@pytest.fixture
def client(sandbox, actor) -> CrmClient:
    return CrmClient.from_settings(actor=actor)


def test_the_sandbox_is_the_default_target(sandbox, db):
    target = crm_target()
    assert target.sandbox and target.api_base == f"{sandbox.url}/crm"


def test_search_contacts_without_a_query_answers_everyone(client):
    contacts = client.search_contacts()
    assert len(contacts) == 300
    assert any(c.lead_status for c in contacts)
    assert all(c.lead_status.color.startswith("#") for c in contacts if c.lead_status)


def test_search_contacts_sends_the_query(client, sandbox):
    everyone = client.search_contacts()
    person = next(c for c in everyone if c.email)
    found = client.search_contacts(person.last_name)
    assert person.id in [c.id for c in found]
    assert sandbox.requests()[-1]["query"] == {"query": person.last_name}


def test_find_contact_by_email_wants_the_exact_email(client):
    person = next(c for c in client.search_contacts() if c.email)
    assert client.find_contact_by_email(person.email.upper()).id == person.id
    assert client.find_contact_by_email(person.email.split("@")[0]) is None
    assert client.find_contact_by_email("") is None


def test_create_contact_creates_and_audits_it(client, actor, sandbox):
    fields = ContactFields(
        email="new.person@example.com",
        first_name="New",
        last_name="Person",
        phone_numbers=["+1 415 555 0100"],
        twitter_url="https://twitter.com/np",
        lead_status_id=2,
    )
    created = client.create_contact(fields)
    assert created.id == "301" and created.email == "new.person@example.com"
    found = client.find_contact_by_email("new.person@example.com")
    assert found.lead_status.label == "Qualified Lead"
    assert found.phone_numbers == ["+1 415 555 0100"]
    entry = AuditEntry.objects.get(action="create_contact")
    assert entry.ok and entry.actor == actor and entry.service == Service.CRM
    assert entry.target == "new.person@example.com"


@pytest.mark.parametrize(
    ("fields", "words"),
    [
        (ContactFields(email="not-an-email"), "Invalid email"),
        (ContactFields(first_name="A", lead_status_id=999), "Invalid lead status"),
    ],
)
def test_create_contact_reports_the_crms_validation_message(client, fields, words):
    with pytest.raises(ApiValidationError) as raised:
        client.create_contact(fields)
    assert str(raised.value) == f"The contacts CRM did not accept the request: {words}."
    assert AuditEntry.objects.get(action="create_contact").ok is False


def test_create_contact_without_email_or_first_name_is_refused_before_sending(client, sandbox):
    with pytest.raises(ApiValidationError, match="needs an email or a first name"):
        client.create_contact(ContactFields(last_name="Nobody"))
    assert sandbox.requests() == []


def test_get_lead_statuses_in_their_order(client):
    statuses = client.get_lead_statuses()
    assert [s.label for s in statuses[:2]] == ["New Lead", "Qualified Lead"]
    assert statuses[0].color == "#3B82F6" and statuses[0].type == "lead"


def test_get_current_user_answers_the_user_and_workspace(client):
    me = client.get_current_user()
    assert me.name == "Morgan Hale" and me.workspace == "Northwind Traders"


def test_a_wrong_key_is_an_auth_error(sandbox, actor, settings):
    connection = Connection.objects.create(service=Service.CRM)
    connection.set_api_key("wrong-key-1234")
    connection.save()
    settings.CRM_API_BASE = f"{sandbox.url}/crm"  # a stored key means "live": aim it here
    target = crm_target()
    assert not target.sandbox and target.key_source == "connections page"
    with pytest.raises(ApiAuthError, match="rejected the API key") as raised:
        CrmClient(target).get_current_user()
    assert "wrong-key-1234" not in str(raised.value)


def test_a_500_is_unavailable_and_a_503_is_retried(client, sandbox, settings):
    settings.API_MAX_ATTEMPTS = 2
    sandbox.fail_next(status=500, count=1, path_contains="/crm/")
    with pytest.raises(ApiUnavailable, match="not answering right now"):
        client.get_current_user()
    sandbox.fail_next(status=503, count=1, path_contains="/crm/")
    assert client.get_current_user().workspace == "Northwind Traders"
    sandbox.fail_next(status=503, count=5, path_contains="/crm/")
    with pytest.raises(ApiUnavailable):
        client.get_lead_statuses()
    assert ApiCall.objects.filter(service="crm", endpoint="get_lead_statuses").get().attempts == 2


def test_every_call_is_recorded_without_the_key(client):
    client.get_current_user()
    call = ApiCall.objects.get(service="crm")
    assert call.endpoint == "get_current_user" and call.status_code == 200 and call.sandbox
