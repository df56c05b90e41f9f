"""A Rep cannot learn whether a colleague has a prospect (issue 14, finding 4).

Adding an email Klenty already holds is refused, but for a Rep the refusal of a
colleague's prospect reads exactly like the refusal of one the dashboard has never
seen (Klenty holds it, the cache does not) and like the Rep's own."""

from __future__ import annotations

import pytest
from django.urls import reverse

from prospects.models import Prospect
from prospects.owners import DUPLICATE_FOR_MANAGERS, DUPLICATE_FOR_REPS
from tests.prospects import test_detail_edit, test_import
from tests.prospects.test_detail_edit import cached, form_data, writes
from tests.prospects.test_import import csv_bytes, mapped, outcome_rows, previewed, started
from tests.prospects.test_import import uploaded as uploaded_csv
from tests.prospects.test_search import DIEGO, PRIYA

pytestmark = pytest.mark.django_db

# The fixtures of the form's and the import's own tests, used here as they are there.
klenty = test_detail_edit.klenty
_uploads_in_tmp = test_import._uploads_in_tmp


def in_klenty(klenty, owner: str, count: int) -> list[str]:
    return [p["email"] for p in klenty.find_prospects(owner=owner, limit=count)]


@pytest.fixture
def three_emails(klenty):
    """The Rep's own cached prospect, a colleague's cached one, and one only Klenty holds."""
    own = in_klenty(klenty, PRIYA, 1)[0]
    colleagues, klenty_only = in_klenty(klenty, DIEGO, 2)
    cached(klenty, own)
    cached(klenty, colleagues)
    return {"own": own, "colleague's": colleagues, "Klenty only": klenty_only}


# -- the prospect form -------------------------------------------------------------


def form_says(client, email: str) -> tuple[list[str], str]:
    response = client.post(reverse("prospects:create"), form_data(email=email))
    assert response.status_code == 200
    return list(response.context["form"].errors.get("email", [])), response.context["api_error"]


def test_a_rep_gets_the_same_refusal_for_a_colleagues_prospect_as_for_any_other(
    rep_client, klenty, three_emails
):
    said = {kind: form_says(rep_client, email) for kind, email in three_emails.items()}
    assert said["colleague's"] == said["Klenty only"] == said["own"] == ([DUPLICATE_FOR_REPS], "")
    assert writes(klenty) == []
    assert not Prospect.objects.filter(email=three_emails["Klenty only"]).exists()


def test_a_manager_is_told_plainly_where_the_prospect_is(manager_client, klenty, three_emails):
    assert form_says(manager_client, three_emails["colleague's"]) == ([DUPLICATE_FOR_MANAGERS], "")
    errors, api_error = form_says(manager_client, three_emails["Klenty only"])
    assert errors == [] and "already exists in Klenty" in api_error


# -- the CSV import ----------------------------------------------------------------


def preview_says(page, email: str) -> tuple[str, str]:
    for outcome in page.context["problems"]:
        if outcome.email == email:
            return outcome.label, outcome.reason
    return "ready", ""


def test_a_reps_csv_preview_does_not_single_out_a_colleagues_prospect(
    rep_client, klenty, three_emails, django_capture_on_commit_callbacks
):
    rows = [["Email"], *([email] for email in three_emails.values())]
    token = uploaded_csv(rep_client, csv_bytes(rows))
    mapped(rep_client, token)

    page = previewed(rep_client, token)
    said = {kind: preview_says(page, email) for kind, email in three_emails.items()}
    assert said["colleague's"] == said["Klenty only"]
    assert said["own"] == ("Already in Klenty", DUPLICATE_FOR_REPS)

    started(rep_client, token, django_capture_on_commit_callbacks)
    outcome = {r["email"]: (r["outcome"], r["detail"]) for r in outcome_rows(rep_client, token)}
    assert outcome[three_emails["colleague's"]] == outcome[three_emails["Klenty only"]]
    assert outcome[three_emails["colleague's"]][0] == "already exists"
    assert klenty.prospect(three_emails["colleague's"])["owner"] == DIEGO  # untouched


def test_a_managers_csv_preview_still_marks_every_cached_prospect(
    manager_client, klenty, three_emails
):
    token = uploaded_csv(manager_client, csv_bytes([["Email"], [three_emails["colleague's"]]]))
    mapped(manager_client, token)
    page = previewed(manager_client, token)
    assert preview_says(page, three_emails["colleague's"]) == (
        "Already in Klenty",
        DUPLICATE_FOR_MANAGERS,
    )
