"""Domain → verified emails → Klenty list and cadence, through the views."""

from __future__ import annotations

import html
import re

import pytest

from klentyadmin.core.models import Connection, Service
from klentyadmin.core.once import new_key
from klentyadmin.integrations.klenty import KlentyClient
from prospects.models import BulkJob, Prospect

DOMAIN = "brightforge.example"
HTMX = {"HTTP_HX_REQUEST": "true"}


def snov_state(sandbox):
    return sandbox._call("GET", "snov/state")


def sendable_rows(verified_page) -> list[str]:
    """The row values the verified results offer to Send to Klenty, as a browser posts them."""
    form = verified_page.content.decode().split('data-testid="verified-emails"')[1]
    return [html.unescape(v) for v in re.findall(r'name="row" value="([^"]*)"', form)]


def verified_page(client, rows, domain: str = DOMAIN):
    return client.post(
        "/enrichment/verify/", {"row": [r.value for r in rows], "domain": domain}, **HTMX
    )


def prospect_values(client):
    page = client.get("/enrichment/", {"domain": DOMAIN}, **HTMX)
    assert page.status_code == 200
    return [p for p in page.context["results"].prospects.prospects]


def test_domain_search_shows_the_company_card_and_balance(manager_client, snov_sandbox):
    page = manager_client.get("/enrichment/", {"domain": "https://www.BrightForge.example/"})
    assert page.status_code == 200
    body = page.content.decode()
    assert "BrightForge" in body and "Balance: 499 credits" in body
    assert "info@brightforge.example" in body


def test_a_bad_domain_is_refused_without_a_call(manager_client, snov_sandbox):
    page = manager_client.get("/enrichment/", {"domain": "not a domain"})
    assert "Enter a company domain" in page.content.decode()
    assert snov_sandbox.requests() == []


def test_a_failing_search_shows_the_message_and_a_retry(manager_client, snov_sandbox, settings):
    settings.API_MAX_ATTEMPTS = 1
    snov_sandbox.fail_next(status=500, path_contains="domain-search/start")
    page = manager_client.get("/enrichment/", {"domain": DOMAIN}, **HTMX)
    body = page.content.decode()
    assert page.status_code == 200
    assert "not answering right now" in body and "Retry" in body


def test_domain_to_klenty_list_and_cadence(
    manager_client, manager_user, snov_sandbox, django_capture_on_commit_callbacks
):
    prospects = prospect_values(manager_client)[:6]
    ticked = [f"|{p.first_name}|{p.last_name}|{p.position}|{p.prospect_hash}" for p in prospects]
    found = manager_client.post(
        "/enrichment/find-emails/",
        {"prospect": ticked, "domain": DOMAIN, "company": "BrightForge"},
        **HTMX,
    )
    rows = found.context["found"]
    assert len(rows) == 5  # the seed gives every sixth prospect no email
    spent_after_find = snov_state(snov_sandbox)["spent"]
    assert spent_after_find == 1 + 5  # the domain search, then one per email found

    verified = verified_page(manager_client, rows)
    results = verified.context["verified"]
    assert all(r.status != "not verified yet" for r in results)
    assert snov_state(snov_sandbox)["spent"] == spent_after_find + 5
    valid = [r for r in results if r.status == "valid"]
    assert valid

    # One of them is already in Klenty (the cache): it is skipped.
    Prospect.objects.create(email=valid[0].email, first_name="Known")
    sealed = dict(zip([r.email for r in results], sendable_rows(verified), strict=True))
    klenty = KlentyClient.from_settings()
    list_name = klenty.get_lists()[0].name
    cadence = klenty.get_company_cadences()[0].name
    with django_capture_on_commit_callbacks(execute=True):
        sent = manager_client.post(
            "/enrichment/send/",
            {
                "row": [sealed[r.email] for r in valid],
                "list_name": list_name,
                "cadence_name": cadence,
                "domain": DOMAIN,
                "company": "BrightForge",
                "once_key": new_key(),
            },
            **HTMX,
        )
    assert sent.status_code == 200 and sent.headers["HX-Redirect"].startswith("/prospects/jobs/")
    imports = BulkJob.objects.get(action="import")
    assert imports.total == len(valid) - 1 and imports.status == BulkJob.Status.DONE
    cadence_job = BulkJob.objects.get(action="start_cadence")
    assert cadence_job.total == len(valid) - 1
    for row in valid[1:]:
        assert cadence in str(snov_sandbox.prospect(row.email))


def test_a_rep_sends_prospects_they_own(
    rep_client, rep_user, snov_sandbox, django_capture_on_commit_callbacks
):
    prospects = prospect_values(rep_client)[:2]
    ticked = [f"|{p.first_name}|{p.last_name}|{p.position}|{p.prospect_hash}" for p in prospects]
    rows = rep_client.post("/enrichment/find-emails/", {"prospect": ticked}, **HTMX).context[
        "found"
    ]
    sealed = sendable_rows(verified_page(rep_client, rows))
    list_name = KlentyClient.from_settings().get_lists()[0].name
    with django_capture_on_commit_callbacks(execute=True):
        rep_client.post(
            "/enrichment/send/",
            {"row": sealed, "list_name": list_name, "once_key": new_key()},
            **HTMX,
        )
    assert Prospect.objects.count() == len(rows)
    assert set(Prospect.objects.values_list("owner_email", flat=True)) == {rep_user.klenty_email}


@pytest.mark.parametrize("path", ["/enrichment/settings/"])
def test_settings_are_for_admins_only(manager_client, path):
    assert manager_client.get(path).status_code == 403


def test_settings_store_the_secret_and_never_show_it(admin_client, snov_sandbox):
    answer = admin_client.post(
        "/enrichment/settings/", {"client_id": "abc", "api_key": "s3cret-value"}
    )
    assert answer.status_code == 302
    page = admin_client.get("/enrichment/settings/").content.decode()
    assert "s3cret-value" not in page and "•••• alue" in page
    stored = Connection.objects.get(service=Service.SNOV)
    assert "s3cret-value" not in stored.api_key_encrypted
    assert (stored.client_id, stored.api_key()) == ("abc", "s3cret-value")


def test_test_connection_shows_the_balance(admin_client, snov_sandbox):
    page = admin_client.post("/enrichment/settings/test/").content.decode()
    assert "Balance: 500 credits" in page
    fragment = admin_client.post("/enrichment/settings/test/", HTTP_HX_REQUEST="true")
    assert "<html" not in fragment.content.decode()
    assert "Connected. Balance: 500 credits." in fragment.content.decode()
    assert Connection.objects.get(service=Service.SNOV).last_success_at is not None


def test_clearing_the_snov_credentials_returns_to_the_sandbox(admin_client, snov_sandbox):
    admin_client.post("/enrichment/settings/", {"client_id": "abc", "api_key": "s3cret-value"})
    admin_client.post("/enrichment/settings/", {"client_id": "abc", "clear_key": "on"})
    stored = Connection.objects.get(service=Service.SNOV)
    assert (stored.client_id, stored.api_key()) == ("", "")
    assert (
        "calls go to the embedded sandbox"
        in admin_client.get("/enrichment/settings/").content.decode()
    )


def test_finder_and_verifier_pages(
    manager_client, snov_sandbox, django_capture_on_commit_callbacks
):
    p = prospect_values(manager_client)[0]
    found = manager_client.post(
        "/enrichment/finder/",
        {"first_name": p.first_name, "last_name": p.last_name, "domain": DOMAIN},
    )
    assert f"@{DOMAIN}" in found.content.decode()
    emails = "\n".join(["info@brightforge.example", "sales@brightforge.example"])
    with django_capture_on_commit_callbacks(execute=True):
        answer = manager_client.post(
            "/enrichment/verifier/", {"emails": emails, "once_key": new_key()}, **HTMX
        )
    body = manager_client.get(answer.headers["HX-Redirect"]).content.decode()
    assert "info@brightforge.example" in body and "catchall" in body


def test_the_verifier_refuses_bad_lines(manager_client, snov_sandbox):
    page = manager_client.post("/enrichment/verifier/", {"emails": "nope"})
    assert "Not an email address" in page.content.decode()


def test_sending_nothing_says_so(manager_client, snov_sandbox):
    answer = manager_client.post("/enrichment/send/", {"list_name": "X"}, **HTMX)
    assert "Tick at least one email." in answer.content.decode()


def test_anonymous_users_are_sent_to_sign_in(client, db):
    assert client.get("/enrichment/").status_code == 302
