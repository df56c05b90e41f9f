"""Each vendor's reading of its own errors, in its own folder's session class.

The shared HTTP layer judges an answer by its status; what a vendor's body means
beyond that (Klenty's K2003 on a 400 or a 200, Snov.io's refusals with HTTP 200)
is that vendor's `read_error` and `raise_for_response`. `responses` stands in for
the vendor; nothing here waits.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
import responses

from klentyadmin.core.models import AuditEntry
from klentyadmin.integrations import http
from klentyadmin.integrations.crm.session import CrmSession
from klentyadmin.integrations.errors import (
    ApiAuthError,
    ApiNotFound,
    ApiUnavailable,
    ApiValidationError,
)
from klentyadmin.integrations.http import AuditInfo
from klentyadmin.integrations.klenty.session import KlentySession
from klentyadmin.integrations.snov.session import SnovSession

pytestmark = pytest.mark.django_db

BASE = "https://vendor.test"
URL = f"{BASE}/thing"


class NoLimiter:
    def acquire(self, key: str, per_minute: int) -> float:
        return 0.0

    def penalise(self, key: str, seconds: float) -> None:
        pass


def session(cls):
    return cls(
        base_url=BASE,
        auth_headers={"x-key": "sk-0123456789"},
        rate_key="test",
        per_minute=60,
        limiter=NoLimiter(),
        sleep=lambda seconds: None,
    )


def answer(cls, status, body):
    responses.get(URL, status=status, json=body)
    return session(cls).get("/thing", endpoint="thing")


def refusal(cls, status, body):
    with pytest.raises(Exception) as caught:
        answer(cls, status, body)
    return caught.value


def test_the_shared_layer_names_no_vendor_and_no_vendor_code():
    # Every name and every string in http.py, the product's own name aside.
    tree = ast.parse(Path(http.__file__).read_text())
    words = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            words.append(node.value)
        elif isinstance(node, ast.Name):
            words.append(node.id)
        elif isinstance(node, ast.alias):
            words.append(node.name)
        elif isinstance(node, ast.ImportFrom):
            words.append(node.module or "")
    text = " ".join(words).replace("klentyadmin", "")
    assert not re.search(r"klenty|snov|crm|skarbe|\bK\d{4}\b", text, re.IGNORECASE)


# -- Klenty -----------------------------------------------------------------


def klenty_error(code, message=""):
    return {"status": False, "errors": [{"code": code, "errorMessage": message}]}


@pytest.mark.parametrize(
    "status, body, error, code",
    [
        (400, klenty_error("K2003", "No record found"), ApiNotFound, "K2003"),
        (200, klenty_error("K2003", "No record found"), ApiNotFound, "K2003"),
        (400, klenty_error("K2002", "Invalid date range"), ApiValidationError, "K2002"),
        (200, klenty_error("K2002", "Invalid date range"), ApiValidationError, "K2002"),
        (200, {"status": False}, ApiValidationError, None),
        (200, klenty_error("K9999", "Cadence is paused"), ApiValidationError, "K9999"),
        (404, klenty_error("K2002", "Gone"), ApiNotFound, "K2002"),
        (503, klenty_error("K2002", "Down"), ApiUnavailable, "K2002"),
    ],
)
@responses.activate
def test_klentys_codes_mean_what_klenty_says_whatever_the_status(status, body, error, code):
    raised = refusal(KlentySession, status, body)
    assert type(raised) is error
    assert (raised.code, raised.status_code, raised.service) == (code, status, "klenty")


@responses.activate
def test_klentys_own_words_are_kept_in_the_message():
    raised = refusal(KlentySession, 400, klenty_error("K2002", "Invalid date range"))
    assert str(raised) == "Klenty did not accept the request: Invalid date range."


@responses.activate
def test_a_klenty_403_points_at_the_team_members():
    raised = refusal(KlentySession, 403, klenty_error("K1003", "x@y.co is not a member"))
    assert isinstance(raised, ApiAuthError)
    assert str(raised) == (
        "Klenty refused access: x@y.co is not a member. "
        "Check the key and the team members on the Connections page."
    )


@responses.activate
def test_a_klenty_answer_that_says_true_is_the_body():
    assert answer(KlentySession, 200, {"status": True}) == {"status": True}


# -- Snov.io ----------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        {"success": False, "message": "Prospect not found"},
        [{"success": False, "message": "Prospect not found"}],
    ],
)
@responses.activate
def test_a_snov_refusal_with_http_200_is_a_validation_error(body):
    raised = refusal(SnovSession, 200, body)
    assert type(raised) is ApiValidationError
    assert str(raised) == "Snov.io did not accept the request: Prospect not found."


@responses.activate
def test_a_snov_4xx_keeps_snovs_words():
    raised = refusal(SnovSession, 400, {"success": False, "message": "Bad domain"})
    assert str(raised) == "Snov.io did not accept the request: Bad domain."


@responses.activate
def test_a_snov_403_points_at_the_snov_settings():
    raised = refusal(SnovSession, 403, {"success": False, "message": "No access"})
    assert str(raised).endswith("Check the client id and secret on the Snov.io settings page.")


@responses.activate
def test_a_refused_snov_write_is_audited_as_failed():
    # The refusal is read by the session, so the audit log says what happened.
    responses.post(URL, json={"success": False, "message": "Recipient not found"})
    with pytest.raises(ApiValidationError):
        session(SnovSession).post(
            "/thing", endpoint="change_recipient_status", audit=AuditInfo(None, "x", "y")
        )
    entry = AuditEntry.objects.get()
    assert entry.ok is False
    assert "Recipient not found" in entry.result


@responses.activate
def test_a_snov_success_is_the_body():
    assert answer(SnovSession, 200, {"success": True, "data": []}) == {
        "success": True,
        "data": [],
    }


# -- the contacts CRM -------------------------------------------------------


@responses.activate
def test_the_crms_error_words_are_kept():
    raised = refusal(CrmSession, 400, {"error": "Invalid email"})
    assert type(raised) is ApiValidationError
    assert str(raised) == "The contacts CRM did not accept the request: Invalid email."


@responses.activate
def test_the_crm_has_no_klenty_quirks():
    # Klenty's 200-with-"status": false is Klenty's alone.
    assert answer(CrmSession, 200, {"status": False}) == {"status": False}
    responses.get(URL, status=400, json={"error": "No such list", "code": "K2003"})
    with pytest.raises(ApiValidationError):
        session(CrmSession).get("/thing", endpoint="thing")
