from __future__ import annotations

import csv
import io
import json

import pytest
from django.urls import reverse

from prospects.models import ProspectList
from prospects.search import EXPORT_COLUMNS
from tests.prospects.test_search import DIEGO, PRIYA, make_prospect

URL = reverse("prospects:export")


def read_csv(response) -> list[dict[str, str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_it_streams_every_match_with_a_header_row(manager_client, db):
    webinar = ProspectList.objects.create(name="Webinar")
    make_prospect(
        email="zoe@muller.example",
        full_name="Zoë Müller",
        company="Ärzte & Söhne",
        prospect_list=webinar,
        tags=["vip", "q3"],
        custom_fields={"industry": "Health", "employees": "50"},
        outcome="Interested",
    )
    make_prospect(email="other@example.org")
    response = manager_client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="prospects-')
    rows = read_csv(response)
    assert len(rows) == 2
    assert list(rows[0]) == [header for header, _ in EXPORT_COLUMNS]
    zoe = next(r for r in rows if r["Email"] == "zoe@muller.example")
    assert zoe["Full name"] == "Zoë Müller"
    assert zoe["Company"] == "Ärzte & Söhne"
    assert zoe["List"] == "Webinar"
    assert zoe["Tags"] == "vip|q3"
    assert json.loads(zoe["Custom fields"]) == {"industry": "Health", "employees": "50"}
    assert zoe["Outcome"] == "Interested"
    assert zoe["Owner"] == PRIYA


def test_it_exports_the_same_search_as_the_page(manager_client, db):
    make_prospect(email="ada@lovelace.example", full_name="Ada Lovelace", tags=["q3"])
    make_prospect(email="ada@other.example", full_name="Ada Other")
    make_prospect(email="grace@navy.example", full_name="Grace Hopper", tags=["q3"])
    rows = read_csv(manager_client.get(URL, {"q": "ada", "tag": "q3"}))
    assert [r["Email"] for r in rows] == ["ada@lovelace.example"]
    rows = read_csv(manager_client.get(URL, {"sort": "-name"}))
    assert [r["Email"] for r in rows] == [
        "grace@navy.example",
        "ada@other.example",
        "ada@lovelace.example",
    ]


def test_a_page_parameter_does_not_cut_the_export(manager_client, db):
    for i in range(60):
        make_prospect(email=f"p{i}@many.example")
    assert len(read_csv(manager_client.get(URL, {"page": 2}))) == 60


def test_a_rep_exports_only_their_own_prospects(rep_client, db):
    make_prospect(email="mine@example.org", owner_email=PRIYA)
    make_prospect(email="theirs@example.org", owner_email=DIEGO)
    rows = read_csv(rep_client.get(URL))
    assert [r["Email"] for r in rows] == ["mine@example.org"]
    assert read_csv(rep_client.get(URL, {"owner": DIEGO})) == []


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tx"])
def test_cells_that_a_spreadsheet_would_run_are_defused(manager_client, db, evil):
    make_prospect(email="evil@example.org", company=evil, tags=[evil])
    row = read_csv(manager_client.get(URL))[0]
    assert row["Company"] == "'" + evil
    assert row["Tags"] == "'" + evil


def test_it_only_accepts_get(manager_client, db):
    assert manager_client.post(URL).status_code == 405


def test_it_requires_sign_in(client, db):
    assert client.get(URL).status_code == 302


@pytest.mark.parametrize(
    "params",
    [{"q": "a" * 201}, {"created_from": "not-a-date"}, {"list": "x"}],
    ids=["q of 201 characters", "a date that is not a date", "a list that is not a number"],
)
def test_a_search_with_a_filter_that_does_not_apply_is_not_exported(manager_client, db, params):
    # The search page ignores such a filter; the export would hold more than was shown.
    make_prospect(email="anyone@example.org")
    response = manager_client.get(URL, params, follow=True)
    assert not response.streaming
    assert response.redirect_chain[0][0].startswith(reverse("prospects:search"))
    assert "The search has filters that do not apply" in response.content.decode()
