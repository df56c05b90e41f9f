"""A domain searched again is answered from the stored results, without Snov.io,
until "Search again"; the Search button says what it is doing while it runs."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

from django.utils import timezone

DOMAIN = "brightforge.example"
HTMX = {"HTTP_HX_REQUEST": "true"}


def snov_calls(sandbox, since: int) -> list[str]:
    return [r["path"] for r in sandbox.requests(since) if "domain-search" in r["path"]]


def search(client, **params):
    page = client.get("/enrichment/", {"domain": DOMAIN, **params}, **HTMX)
    assert page.status_code == 200
    return page


def test_the_same_domain_again_asks_snov_nothing_and_says_so(manager_client, snov_sandbox):
    first = search(manager_client)
    assert 'data-testid="stored-results"' not in first.content.decode()
    since = snov_sandbox.last_seq()
    later = timezone.now() + timedelta(hours=3)
    with mock.patch("django.utils.timezone.now", return_value=later):
        again = search(manager_client, domain=" BrightForge.example ")
    assert snov_sandbox.requests(since) == []
    body = again.content.decode()
    assert "From a search 3\xa0hours ago" in body and "Search again" in body
    assert "BrightForge" in body


def test_search_again_asks_snov(manager_client, snov_sandbox):
    search(manager_client)
    since = snov_sandbox.last_seq()
    stored = search(manager_client)
    assert snov_sandbox.requests(since) == []
    assert "&fresh=1" in stored.content.decode()
    fresh = search(manager_client, fresh="1")
    assert snov_calls(snov_sandbox, since)
    assert 'data-testid="stored-results"' not in fresh.content.decode()
    since = snov_sandbox.last_seq()
    search(manager_client)  # the fresh results are the stored ones now
    assert snov_sandbox.requests(since) == []


def test_another_page_is_another_search(manager_client, snov_sandbox):
    search(manager_client)
    since = snov_sandbox.last_seq()
    search(manager_client, page="2")
    assert snov_calls(snov_sandbox, since)
    since = snov_sandbox.last_seq()
    page_two = search(manager_client, page="2")
    page_one = search(manager_client)
    assert snov_sandbox.requests(since) == []
    assert page_two.context["results"].prospects.page == 2
    assert page_one.context["results"].prospects.page == 1


def test_stored_results_can_be_turned_off(manager_client, snov_sandbox, settings):
    settings.SNOV_RESULT_CACHE_HOURS = 0
    search(manager_client)
    since = snov_sandbox.last_seq()
    search(manager_client)
    assert snov_calls(snov_sandbox, since)


def test_the_search_button_says_what_it_is_doing(manager_client):
    body = manager_client.get("/enrichment/").content.decode()
    form = body.split('hx-get="/enrichment/"')[1].split("</form>")[0]
    assert 'hx-indicator="this"' in form
    assert 'class="htmx-indicator"' in form
    assert "Searching snov.io… this takes about 10 seconds" in form
