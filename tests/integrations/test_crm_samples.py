"""Every sample in connect-crm-api.txt, read by the parse functions.

The samples in samples/crm/ are copied from the doc verbatim except for the email
addresses: the help site's email protection replaced each with "[email protected]",
so they read john@example.com, jane@example.com and admin@acme.example here.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import responses
from hypothesis import given
from hypothesis import strategies as st

from klentyadmin.integrations.crm import (
    DEFAULT_COLOR,
    ContactFields,
    CrmClient,
    LeadStatus,
    parse_color,
    parse_contact,
    parse_contacts,
    parse_created_contact,
    parse_current_user,
    parse_lead_statuses,
    parse_phone_numbers,
)
from klentyadmin.integrations.crm.target import CrmTarget
from klentyadmin.integrations.errors import ApiAuthError, ApiUnavailable, ApiValidationError

SAMPLES = Path(__file__).parent / "samples" / "crm"


def sample(name: str):
    return json.loads((SAMPLES / f"{name}.json").read_text())


def test_get_contacts_sample():
    (contact,) = parse_contacts(sample("get_contacts"))
    assert contact.id == "1"
    assert contact.email == "john@example.com"
    assert (contact.first_name, contact.last_name, contact.full_name) == ("John", "Doe", "John Doe")
    assert (contact.job_title, contact.company_name) == ("Developer", "Acme Corp")
    assert contact.created_at == datetime(2023, 1, 15, 10, 0, tzinfo=UTC)
    assert contact.lead_status == LeadStatus(id=1, label="New Lead", color="#3B82F6")
    assert contact.phone_numbers == [] and contact.last_activity_at is None


def test_create_contact_sample_input_is_what_contact_fields_send():
    fields = ContactFields(
        email="jane@example.com",
        first_name="Jane",
        last_name="Smith",
        job_title="Marketing Manager",
        company_name="Tech Solutions Inc",
        lead_status_id=1,
    )
    assert fields.to_payload() == sample("create_contact_input")


def test_create_contact_sample_response():
    contact = parse_created_contact(sample("create_contact_response"))
    assert contact.id == "2" and contact.email == "jane@example.com"
    assert contact.full_name == "Jane Smith"  # built from the parts the answer has
    assert contact.created_at == datetime(2023, 1, 15, 10, 30, tzinfo=UTC)
    assert contact.lead_status is None


def test_lead_statuses_sample():
    statuses = parse_lead_statuses(sample("get_lead_statuses"))
    assert statuses == [
        LeadStatus(id=1, label="New Lead", color="#3B82F6", type="lead", order=1),
        LeadStatus(id=2, label="Qualified Lead", color="#10B981", type="qualified", order=2),
    ]


def test_current_user_sample():
    me = parse_current_user(sample("get_current_user"))
    assert (me.name, me.email, me.workspace) == (
        "John Admin",
        "admin@acme.example",
        "Acme Corporation",
    )


@pytest.mark.parametrize(
    ("name", "status", "error", "words"),
    [
        ("error_required", 400, ApiValidationError, "At least email or firstName is required"),
        ("error_invalid_email", 400, ApiValidationError, "Invalid email"),
        ("error_invalid_lead_status", 400, ApiValidationError, "Invalid lead status"),
        ("error_generic", 401, ApiAuthError, "rejected the API key"),
        ("error_generic", 500, ApiUnavailable, "not answering"),
    ],
)
@responses.activate
def test_documented_errors_map_to_messages_a_manager_can_act_on(
    settings, tmp_path, name, status, error, words
):
    settings.API_BACKOFF_BASE = 0.001
    settings.API_BACKOFF_CAP = 0.002
    settings.API_MAX_ATTEMPTS = 1
    responses.post("https://crm.test/api/connect/contacts", json=sample(name), status=status)
    target = CrmTarget("key-123456", "https://crm.test", False, 100_000, "environment")
    with pytest.raises(error) as raised:
        CrmClient(target).create_contact(ContactFields(first_name="A"))
    assert words in str(raised.value)
    assert "key-123456" not in str(raised.value)


def test_quirks_other_shapes_are_read_too():
    wrapped = parse_contacts({"data": [{"id": 3.0, "email": " X@Y.EXAMPLE ", "firstName": "X"}]})
    assert wrapped[0].id == "3" and wrapped[0].email == "x@y.example"
    assert parse_contact({"id": "a1", "leadStatus": {"id": "x"}}).lead_status is None
    assert parse_phone_numbers("+1 555, +44 20") == ["+1 555", "+44 20"]
    assert parse_phone_numbers([{"number": "1"}, {"phoneNumber": "2"}, "1"]) == ["1", "2"]
    assert parse_color("3b82f6") == "#3B82F6"
    assert parse_color("#abc") == "#AABBCC"
    assert parse_color("#3B82F6FF") == "#3B82F6"
    assert parse_color("red; background:url(x)") == DEFAULT_COLOR


@given(st.text(max_size=40))
def test_any_colour_text_becomes_a_safe_hex_colour(text):
    color = parse_color(text)
    assert len(color) == 7 and color[0] == "#" and all(c in "0123456789ABCDEF" for c in color[1:])
    assert LeadStatus(id=1, label="x", color=color).ink in {"#1d2433", "#ffffff"}


@given(st.recursive(st.none() | st.text() | st.integers(), st.lists, max_leaves=8))
def test_parsers_never_raise_on_odd_bodies(body):
    parse_contacts(body)
    parse_lead_statuses(body)
    parse_current_user(body)
    parse_phone_numbers(body)
