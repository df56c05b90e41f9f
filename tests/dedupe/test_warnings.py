"""Near-duplicate warnings before adding: CSV import and Send to Klenty."""

from __future__ import annotations

import pytest
from django.urls import reverse

from dedupe.finding import look_for_duplicates
from dedupe.warnings import Incoming, near_duplicates
from enrichment.services import Row
from prospects.models import Prospect
from tests.dedupe.test_finding import crm_contact
from tests.prospects.test_import import csv_bytes, mapped, previewed, uploaded

PRIYA = "priya.natarajan@northwind.example"
DIEGO = "diego.alvarez@northwind.example"


@pytest.fixture
def known(db):
    Prospect.objects.create(
        email="ann.lee@gmail.com",
        first_name="Ann",
        last_name="Lee",
        company="Acme",
        owner_email=PRIYA,
    )
    Prospect.objects.create(
        email="bo@globex.example",
        first_name="Bo",
        last_name="Ra",
        company="Globex",
        owner_email=DIEGO,
    )
    crm_contact("c1", "cy.po@crm.example", "Cy", "Po", "Initech")
    look_for_duplicates()


INCOMING = [
    Incoming("annlee+x@gmail.com"),  # Priya's, by its Gmail address
    Incoming("bo.ra@elsewhere.example", "Bo", "Ra", "Globex"),  # Diego's, by name
    Incoming("cy@new.example", "Cy", "Po", "Initech"),  # the CRM's
    Incoming("ann.lee@gmail.com"),  # exact: refused elsewhere, not a near miss
    Incoming("new@acme.example", "Dee", "Lo", "Acme"),
    Incoming("d.e.e@gmail.com"),
    Incoming("dee+2@gmail.com"),  # like the entry before it
]


def test_a_manager_is_warned_of_every_near_match(known, manager_user):
    found = near_duplicates(manager_user, INCOMING)

    assert (
        found[0]
        == "Looks like Ann Lee <ann.lee@gmail.com>, already in Klenty: the same Gmail address."
    )
    assert (
        found[1]
        == "Looks like Bo Ra <bo@globex.example>, already in Klenty: the same name and company."
    )
    assert (
        found[2]
        == "Looks like Cy Po <cy.po@crm.example>, already in the CRM: the same name and company."
    )
    assert found[3:5] == ["", ""]
    assert found[5] == ""
    assert found[6] == "Looks like entry 6 here: the same Gmail address."


def test_a_rep_is_warned_only_of_their_own_and_learns_nothing_of_others(known, rep_user):
    found = near_duplicates(rep_user, INCOMING)

    assert found[0].startswith("Looks like Ann Lee")
    # Diego's prospect and the CRM's contact: exactly as if nobody had them.
    Prospect.objects.filter(owner_email=DIEGO).delete()
    look_for_duplicates()
    assert found[1:3] == ["", ""] == near_duplicates(rep_user, INCOMING)[1:3]


def test_a_rep_without_a_klenty_email_is_warned_of_nothing(known, rep_user):
    rep_user.klenty_email = ""
    assert not any(near_duplicates(rep_user, INCOMING[:3]))


@pytest.fixture
def import_settings(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.KLENTY_API_KEY = ""
    settings.KLENTY_TEAM_EMAILS = []


def test_the_import_preview_warns_of_near_duplicates_and_still_imports_them(
    known, import_settings, manager_client
):
    token = uploaded(
        manager_client,
        csv_bytes(
            [
                ["Email", "First name", "Last name", "Company"],
                ["annlee+x@gmail.com", "A", "L", "Other"],
                ["bo.r@else.example", "Bo", "Ra", "Globex"],
                ["fresh@new.example", "Fe", "Sh", "New"],
            ]
        ),
    )
    mapped(manager_client, token)

    body = previewed(manager_client, token).content.decode()

    near = body.split('data-testid="near-duplicates"')[1].split("</table>")[0]
    assert "annlee+x@gmail.com" in near and "Ann Lee &lt;ann.lee@gmail.com&gt;" in near
    assert "bo.r@else.example" in near and "Bo Ra" in near
    assert "fresh@new.example" not in near
    assert "Import 3 prospects" in body


def test_a_reps_import_preview_says_nothing_of_a_colleagues_prospect(
    known, import_settings, rep_client
):
    token = uploaded(
        rep_client,
        csv_bytes(
            [["Email", "First name", "Last name", "Company"], ["x@y.example", "Bo", "Ra", "Globex"]]
        ),
    )
    mapped(rep_client, token)

    body = previewed(rep_client, token).content.decode()

    assert 'data-testid="near-duplicates"' not in body and "bo@globex.example" not in body


def test_send_to_klenty_warns_of_near_duplicates_before_sending(
    known, sandbox, settings, manager_client
):
    settings.SNOV_RATE_LIMIT_PER_MIN = settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    settings.SNOV_CLIENT_ID = settings.SNOV_CLIENT_SECRET = settings.SNOV_API_BASE = ""
    rows = [Row("a.nnlee+x@gmail.com", "Ann", "Lee"), Row("new.person@globex.example", "Bo", "Ra")]

    page = manager_client.post(
        reverse("enrichment:verify"),
        {"row": [r.value for r in rows], "domain": "globex.example", "company": "Globex"},
        HTTP_HX_REQUEST="true",
    )

    body = page.content.decode()
    assert page.status_code == 200
    near = body.split('data-testid="near-duplicates"')[1].split("</div>")[0]
    assert "a.nnlee+x@gmail.com: Looks like Ann Lee &lt;ann.lee@gmail.com&gt;" in near
    assert "new.person@globex.example: Looks like Bo Ra &lt;bo@globex.example&gt;" in near
    assert not [
        r for r in sandbox.requests() if "klenty" in r.get("path", "") and r["method"] == "POST"
    ]
