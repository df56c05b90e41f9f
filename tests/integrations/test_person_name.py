"""A Klenty prospect and a CRM contact are named by one rule."""

from __future__ import annotations

import pytest

from klentyadmin.integrations.crm.types import Contact
from prospects.models import Prospect


@pytest.mark.parametrize(
    ("fields", "name"),
    [
        ({"full_name": "Ada King", "first_name": "Ada", "email": "ada@example.com"}, "Ada King"),
        ({"first_name": "Ada", "last_name": "Lovelace"}, "Ada Lovelace"),
        ({"last_name": "Lovelace", "email": "ada@example.com"}, "Lovelace"),
        ({"email": "ada@example.com"}, "ada@example.com"),
    ],
)
def test_prospects_and_contacts_are_named_alike(fields, name):
    assert Prospect(**fields).display_name == name
    assert Contact(id="c1", **fields).display_name == name


def test_a_contact_with_nothing_to_call_it_by_is_named_by_its_id():
    assert Contact(id="c1").display_name == "Contact c1"
    assert Prospect().display_name == ""
