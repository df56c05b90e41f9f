"""Snov.io prospect lists: create one, fill it from a domain search, open it, send it
to Klenty; against the sandbox over HTTP."""

from __future__ import annotations

import html
import re

import pytest

from klentyadmin.core.models import AuditEntry
from klentyadmin.core.once import new_key
from klentyadmin.integrations.klenty import KlentyClient
from klentyadmin.integrations.snov import SnovClient
from prospects.models import BulkJob, Prospect
from tests.enrichment.test_flow import HTMX, prospect_values, snov_state, verified_page


def verified_rows(client, count: int = 4) -> tuple[list, list[str]]:
    """A domain search's verified rows and their sealed values, as the page offers them."""
    prospects = prospect_values(client)[:count]
    ticked = [f"|{p.first_name}|{p.last_name}|{p.position}|{p.prospect_hash}" for p in prospects]
    found = client.post("/enrichment/find-emails/", {"prospect": ticked}, **HTMX)
    page = verified_page(client, found.context["found"])
    form = page.content.decode().split('data-testid="verified-emails"')[1]
    sealed = [html.unescape(v) for v in re.findall(r'name="row" value="([^"]*)"', form)]
    return page.context["verified"], sealed


def new_list(client, name: str = "Brightforge leads") -> int:
    created = client.post("/enrichment/lists/", {"name": name})
    assert created.status_code == 302
    return int(created["Location"].rstrip("/").split("/")[-1])


def test_a_manager_creates_a_list_and_it_is_audited(manager_client, snov_sandbox):
    list_id = new_list(manager_client)

    assert snov_state(snov_sandbox)["lists"][str(list_id)] == {
        "name": "Brightforge leads",
        "contacts": 0,
    }
    entry = AuditEntry.objects.get(action="create_list")
    assert entry.ok and entry.target == "Brightforge leads"
    page = manager_client.get("/enrichment/lists/")
    body = page.content.decode()
    assert "Brightforge leads" in body and "0 prospects" in body
    assert 'data-testid="snov-custom-fields"' in body  # the account's custom fields


def test_a_blank_list_name_is_a_field_error_and_nothing_is_created(manager_client, snov_sandbox):
    before = snov_state(snov_sandbox)["lists"]
    page = manager_client.post("/enrichment/lists/", {"name": "   "})
    assert page.status_code == 400
    assert "This field is required." in page.content.decode()
    assert snov_state(snov_sandbox)["lists"] == before


def test_verified_results_go_into_a_list_and_the_list_shows_them(manager_client, snov_sandbox):
    list_id = new_list(manager_client)
    rows, sealed = verified_rows(manager_client)
    assert 'name="snov_list"' in verified_page_body(manager_client, rows)

    added = manager_client.post(
        "/enrichment/lists/add/", {"row": sealed, "snov_list": list_id}, **HTMX
    )

    assert f"{len(rows)} prospects added to the Snov.io list" in added.content.decode()
    page = manager_client.get(f"/enrichment/lists/{list_id}/")
    body = page.content.decode()
    assert f"{len(rows)} prospects, newest first" in body
    for row in rows:
        assert row.email in body
    assert AuditEntry.objects.filter(action="add_prospect_to_list").count() == len(rows)


def verified_page_body(client, rows) -> str:
    return verified_page(client, rows).content.decode()


def test_a_row_not_from_this_users_results_adds_nothing(manager_client, snov_sandbox):
    list_id = new_list(manager_client)
    _, sealed = verified_rows(manager_client, 2)
    forged = sealed + ["mallory@brightforge.example|Mal|Lory||"]

    answer = manager_client.post(
        "/enrichment/lists/add/", {"row": forged, "snov_list": list_id}, **HTMX
    )

    assert "not from your own verified results" in answer.content.decode()
    assert snov_state(snov_sandbox)["lists"][str(list_id)]["contacts"] == 0


def test_a_list_goes_to_klenty_through_a_bulk_add_job(
    manager_client, snov_sandbox, django_capture_on_commit_callbacks
):
    list_id = new_list(manager_client)
    rows, sealed = verified_rows(manager_client)
    manager_client.post("/enrichment/lists/add/", {"row": sealed, "snov_list": list_id}, **HTMX)
    list_name = KlentyClient.from_settings().get_lists()[0].name

    with django_capture_on_commit_callbacks(execute=True):
        sent = manager_client.post(
            f"/enrichment/lists/{list_id}/send/",
            {"list_name": list_name, "once_key": new_key()},
        )

    job = BulkJob.objects.get(action="import")
    assert sent.status_code == 302 and sent["Location"] == job.get_absolute_url()
    assert job.total == len(rows) and job.status == BulkJob.Status.DONE
    for row in rows:
        assert snov_sandbox.prospect(row.email)["list"] == list_name
    # Again: every one is in Klenty now, so no job at all.
    again = manager_client.post(
        f"/enrichment/lists/{list_id}/send/",
        {"list_name": list_name, "once_key": new_key()},
        follow=True,
    )
    assert "Every prospect of this list is already in Klenty." in again.content.decode()
    assert BulkJob.objects.filter(action="import").count() == 1


def test_prospects_already_in_the_klenty_list_are_skipped_though_not_cached(
    manager_client, snov_sandbox, django_capture_on_commit_callbacks
):
    # Klenty's list is read live (iter_prospects_in_list): the cache has not synced it.
    klenty = KlentyClient.from_settings()
    list_name = klenty.get_lists()[0].name
    member = next(iter(klenty.iter_prospects_in_list(list_name)))
    snov = SnovClient.from_settings()
    list_id = snov.create_list("Mixed")
    snov.add_prospect_to_list(list_id, member.email, firstName="Known")
    snov.add_prospect_to_list(list_id, "new.person@brightforge.example", firstName="New")
    assert not Prospect.objects.filter(email=member.email).exists()

    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            f"/enrichment/lists/{list_id}/send/", {"list_name": list_name, "once_key": new_key()}
        )

    job = BulkJob.objects.get(action="import")
    assert list(job.items.values_list("email", flat=True)) == ["new.person@brightforge.example"]


def test_a_send_without_a_klenty_list_is_refused(manager_client, snov_sandbox):
    list_id = SnovClient.from_settings().create_list("Empty name test")
    answer = manager_client.post(
        f"/enrichment/lists/{list_id}/send/", {"list_name": " ", "once_key": new_key()}, follow=True
    )
    assert "This field is required." in answer.content.decode()
    assert not BulkJob.objects.exists()


def test_an_unknown_list_is_a_404_with_words(manager_client, snov_sandbox):
    page = manager_client.get("/enrichment/lists/987654/")
    assert page.status_code == 404
    assert "Snov.io has no list with this id" in page.content.decode()


def test_a_list_prospect_opens_by_its_snov_id(manager_client, snov_sandbox):
    snov = SnovClient.from_settings()
    list_id = snov.create_list("One")
    added = snov.add_prospect_to_list(list_id, "ana@brightforge.example", firstName="Ana")

    panel = manager_client.get("/enrichment/lists/prospect/", {"id": added.id}, **HTMX)

    body = panel.content.decode()
    assert "Ana" in body and "One" in body  # the name, and the list it is in
    missing = manager_client.get("/enrichment/lists/prospect/", {"id": "nobody=="}, **HTMX)
    assert "Snov.io has no profile" in missing.content.decode()


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/enrichment/lists/"),
        ("post", "/enrichment/lists/"),
        ("post", "/enrichment/lists/add/"),
        ("get", "/enrichment/lists/1/"),
        ("post", "/enrichment/lists/1/send/"),
        ("get", "/enrichment/lists/prospect/"),
    ],
)
def test_reps_cannot_reach_the_accounts_lists(rep_client, snov_sandbox, method, path):
    assert getattr(rep_client, method)(path).status_code == 403
    assert snov_sandbox.requests() == []


def test_a_rep_is_not_offered_the_lists(rep_client, snov_sandbox):
    prospects = prospect_values(rep_client)[:2]
    ticked = [f"|{p.first_name}|{p.last_name}|{p.position}|{p.prospect_hash}" for p in prospects]
    found = rep_client.post("/enrichment/find-emails/", {"prospect": ticked}, **HTMX)
    body = verified_page(rep_client, found.context["found"]).content.decode()
    assert "Add to Snov.io list" not in body
    assert "/enrichment/lists/" not in rep_client.get("/enrichment/").content.decode()


def test_a_big_list_is_sent_in_parts(
    manager_client, snov_sandbox, monkeypatch, django_capture_on_commit_callbacks
):
    from enrichment import snov_lists

    monkeypatch.setattr(snov_lists, "MAX_SENT", 100)  # one Snov.io page a part
    monkeypatch.setattr(snov_lists, "PAGES_PER_PART", 1)
    snov_sandbox.configure(snov_rate_limit_per_min=100_000)
    snov = SnovClient.from_settings()
    list_id = snov.create_list("Big")
    for i in range(150):
        snov.add_prospect_to_list(list_id, f"p{i:03}@big.example", firstName=f"P{i}")

    page = manager_client.get(f"/enrichment/lists/{list_id}/").content.decode()
    assert "Prospects 1–100" in page and "Prospects 101–150" in page
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            f"/enrichment/lists/{list_id}/send/",
            {"list_name": "Big", "part": "1", "once_key": new_key()},
        )

    job = BulkJob.objects.get(action="import")
    sent = set(job.items.values_list("email", flat=True))
    # Snov.io answers newest first: the second part is the 50 added first.
    assert sent == {f"p{i:03}@big.example" for i in range(50)}
