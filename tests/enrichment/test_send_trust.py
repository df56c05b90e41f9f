"""Send to Klenty takes only this user's own verified rows, and never from an
unlinked Rep (issue 14, finding 3)."""

from __future__ import annotations

import time

import pytest
from django.core import signing

from enrichment.forms import NOT_FROM_RESULTS
from enrichment.services import Row, sealed_value
from klentyadmin.core.once import new_key
from klentyadmin.integrations.klenty import KlentyClient
from prospects.models import BulkJob, Prospect
from prospects.owners import NOT_LINKED
from tests.conftest import make_user, signed_in_client

HTMX = {"HTTP_HX_REQUEST": "true"}
ROW = Row("grace.hopper@brightforge.example", "Grace", "Hopper", "CTO")


def send(client, rows: list[str], capture):
    data = {
        "row": rows,
        "list_name": KlentyClient.from_settings().get_lists()[0].name,
        "once_key": new_key(),
    }
    with capture(execute=True):
        return client.post("/enrichment/send/", data, **HTMX)


def klenty_adds(sandbox, since: int) -> list[dict]:
    return [
        r
        for r in sandbox.requests(since)
        if r["method"] == "POST" and r["path"].endswith("/prospects")
    ]


@pytest.fixture
def unlinked_rep(db):
    return make_user("uma", "rep")


def test_an_unlinked_rep_cannot_send_prospects_to_klenty(
    unlinked_rep, snov_sandbox, django_capture_on_commit_callbacks
):
    since = snov_sandbox.last_seq()
    answer = send(
        signed_in_client(unlinked_rep),
        [sealed_value(ROW, unlinked_rep)],
        django_capture_on_commit_callbacks,
    )
    assert answer.status_code == 200 and NOT_LINKED in answer.content.decode()
    assert not BulkJob.objects.exists() and not Prospect.objects.exists()
    assert klenty_adds(snov_sandbox, since) == []


def test_hand_made_rows_are_refused(rep_client, snov_sandbox, django_capture_on_commit_callbacks):
    since = snov_sandbox.last_seq()
    answer = send(rep_client, [ROW.value], django_capture_on_commit_callbacks)
    assert answer.status_code == 200 and NOT_FROM_RESULTS in answer.content.decode()
    assert not BulkJob.objects.exists()
    assert klenty_adds(snov_sandbox, since) == []


def test_one_forged_row_among_genuine_ones_sends_nothing(
    rep_client, rep_user, snov_sandbox, django_capture_on_commit_callbacks
):
    forged = Row("someone.else@brightforge.example", "Some", "One").value
    answer = send(
        rep_client, [sealed_value(ROW, rep_user), forged], django_capture_on_commit_callbacks
    )
    assert NOT_FROM_RESULTS in answer.content.decode()
    assert not BulkJob.objects.exists()


def test_a_tampered_row_is_refused(
    rep_client, rep_user, snov_sandbox, django_capture_on_commit_callbacks
):
    tampered = sealed_value(ROW, rep_user).replace("Grace", "Mallory")
    answer = send(rep_client, [tampered], django_capture_on_commit_callbacks)
    assert NOT_FROM_RESULTS in answer.content.decode()
    assert not BulkJob.objects.exists()


def test_rows_verified_for_another_user_are_refused(
    rep_client, other_rep_user, snov_sandbox, django_capture_on_commit_callbacks
):
    answer = send(
        rep_client, [sealed_value(ROW, other_rep_user)], django_capture_on_commit_callbacks
    )
    assert NOT_FROM_RESULTS in answer.content.decode()
    assert not BulkJob.objects.exists()


def test_rows_older_than_a_day_are_refused(
    rep_client, rep_user, snov_sandbox, django_capture_on_commit_callbacks, monkeypatch
):
    day_and_more_ago = int(time.time()) - 25 * 3600
    with monkeypatch.context() as patched:
        patched.setattr(
            signing.TimestampSigner, "timestamp", lambda self: signing.b62_encode(day_and_more_ago)
        )
        sealed = sealed_value(ROW, rep_user)
    answer = send(rep_client, [sealed], django_capture_on_commit_callbacks)
    assert NOT_FROM_RESULTS in answer.content.decode()
    assert not BulkJob.objects.exists()


def test_a_linked_rep_sends_their_own_sealed_rows_as_their_prospects(
    rep_client, rep_user, snov_sandbox, django_capture_on_commit_callbacks
):
    answer = send(rep_client, [sealed_value(ROW, rep_user)], django_capture_on_commit_callbacks)
    assert answer.headers["HX-Redirect"] == BulkJob.objects.get().get_absolute_url()
    prospect = Prospect.objects.get(email=ROW.email)
    assert prospect.owner_email == rep_user.klenty_email
