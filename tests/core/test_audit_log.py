"""The audit log: filters, a text search, a CSV export of what the filters select,
a readable result with the raw answer behind a toggle, and a fixed number of queries."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from klentyadmin.core.models import AuditEntry, Service
from tests.core.test_csv_routes import read

pytestmark = pytest.mark.django_db

AUDIT = reverse("audit_log")
EXPORT = reverse("audit_log_export")
ANSWER = {"status": "success", "message": "Prospect added", "id": "p-42", "email": "ada@x.example"}


def entry(
    action="add_prospect",
    target="ada@x.example",
    *,
    ok=True,
    service=Service.KLENTY,
    actor=None,
    result=None,
    when=datetime(2026, 3, 10, 12, tzinfo=UTC),
) -> AuditEntry:
    return AuditEntry.objects.create(
        actor=actor,
        actor_name=getattr(actor, "username", ""),
        service=service,
        action=action,
        target=target,
        ok=ok,
        result=json.dumps(ANSWER) if result is None else result,
        created_at=when,
    )


def shown(response) -> list[str]:
    html = response.content.decode()
    return [target for target in ("ada@", "bob@", "cy@") if f">{target}x.example<" in html]


def test_the_result_reads_as_a_summary_with_the_json_behind_details(manager_client):
    entry()

    html = manager_client.get(AUDIT).content.decode()

    assert "status: success · Prospect added · id: p-42 · email: ada@x.example" in html
    assert "<details><summary>Full answer</summary>" in html
    assert "&quot;status&quot;: &quot;success&quot;" in html  # the pretty JSON, inside it


def test_an_error_result_is_shown_as_text(manager_client):
    entry(ok=False, result="Klenty answered 400: the email is not valid")

    html = manager_client.get(AUDIT).content.decode()

    assert "Failed</span>" in html
    assert "Klenty answered 400: the email is not valid" in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"service": "snov"}, ["bob@"]),
        ({"action": "add_tags"}, ["bob@"]),
        ({"outcome": "failed"}, ["cy@"]),
        ({"failed": "1"}, ["cy@"]),  # the old link keeps working
        ({"outcome": "ok"}, ["ada@", "bob@"]),
        ({"date_from": "2026-03-11"}, ["bob@", "cy@"]),
        ({"date_from": "2026-03-11", "date_to": "2026-03-11"}, ["bob@"]),
        ({"q": "CY@X"}, ["cy@"]),
        ({"q": "tags"}, ["bob@"]),  # the action is searched too
    ],
)
def test_each_filter_narrows_the_entries(manager_client, query, expected):
    entry()
    entry("add_tags", "bob@x.example", service=Service.SNOV, when=datetime(2026, 3, 11, tzinfo=UTC))
    entry("stop_mails", "cy@x.example", ok=False, when=datetime(2026, 3, 12, tzinfo=UTC))

    assert shown(manager_client.get(AUDIT, query)) == expected


def test_the_user_filter_finds_that_users_writes(manager_client, manager_user, rep_user):
    entry(actor=manager_user)
    entry(target="bob@x.example", actor=rep_user)

    response = manager_client.get(AUDIT, {"user": rep_user.pk})

    assert shown(response) == ["bob@"]


@pytest.mark.parametrize(
    "query",
    [
        {"service": "salesforce"},
        {"action": "drop_table"},
        {"user": "abc"},
        {"user": str(10**20)},
        {"outcome": "maybe"},
        {"date_from": "2026-13-45"},
        {"date_from": "2026-03-12", "date_to": "2026-03-10"},
        {"q": "a" * 201},
    ],
    ids=str,
)
def test_an_invalid_filter_is_refused_with_a_message_and_never_widens(manager_client, query):
    entry()

    response = manager_client.get(AUDIT, query)

    assert response.status_code == 200
    assert 'data-testid="filter-errors"' in response.content.decode()


def test_the_export_is_the_filtered_entries_with_a_summary(manager_client):
    entry()
    entry("stop_mails", "cy@x.example", ok=False, result="boom")

    rows = read(manager_client.get(EXPORT, {"outcome": "failed"}))

    assert rows[0][:6] == ["When", "Who", "Service", "Action", "Target", "Outcome"]
    assert [row[4:7] for row in rows[1:]] == [["cy@x.example", "failed", "boom"]]


def test_the_export_of_invalid_filters_goes_back_to_the_page(manager_client):
    response = manager_client.get(EXPORT, {"outcome": "maybe"})

    assert response.status_code == 302
    assert response["Location"] == f"{AUDIT}?outcome=maybe"


def test_the_page_links_its_export_with_the_same_filters(manager_client):
    html = manager_client.get(AUDIT, {"service": "snov", "q": "ada"}).content.decode()

    assert f'href="{EXPORT}?service=snov&amp;q=ada"' in html


def test_a_rep_cannot_export_the_audit_log(rep_client):
    assert rep_client.get(EXPORT).status_code == 403


@pytest.mark.parametrize("size", [3, 120])
def test_the_page_costs_the_same_queries_at_any_size(
    manager_client, manager_user, django_assert_max_num_queries, size
):
    AuditEntry.objects.bulk_create(
        AuditEntry(
            actor=manager_user,
            actor_name="morgan",
            service=Service.KLENTY,
            action=f"action_{n % 7}",
            target=f"p{n}@x.example",
            ok=n % 3 > 0,
            result=json.dumps(ANSWER),
        )
        for n in range(size)
    )
    manager_client.get(AUDIT)  # the session and user, cached once

    with django_assert_max_num_queries(7):
        response = manager_client.get(AUDIT, {"page": "2", "outcome": "ok", "q": "x.example"})

    assert response.status_code == 200


def test_the_count_reads_in_plain_english(manager_client):
    entry()

    one = manager_client.get(AUDIT, {"outcome": "ok"}).content.decode()
    entry(target="bob@x.example")
    two = manager_client.get(AUDIT, {"outcome": "ok"}).content.decode()

    assert "1 entry matches the filters." in one
    assert "2 entries match the filters." in two


@pytest.mark.django_db
def test_an_edit_shows_its_fields_before_and_after_on_the_page_and_in_the_csv(manager_client):
    edit = entry("update_prospect")
    edit.details = {
        "changes": [
            {"field": "title", "label": "Title", "before": "Buyer", "after": "<b>Head</b> buyer"},
            {"field": "company", "label": "Company", "before": "", "after": "Acme"},
        ]
    }
    edit.save()

    html = manager_client.get(AUDIT).content.decode()
    rows = read(manager_client.get(EXPORT))

    assert "Title: <del>Buyer</del> → <ins>&lt;b&gt;Head&lt;/b&gt; buyer</ins>" in html
    assert "Company: <del>(empty)</del> → <ins>Acme</ins>" in html
    header, line = rows[0], rows[1]
    assert (
        line[header.index("Changes")] == "Title: Buyer → <b>Head</b> buyer; Company: (empty) → Acme"
    )
