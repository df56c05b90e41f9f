"""A domain search's live progress: which step, requests made, credits spent, read by
the page's poll while the search runs; against the sandbox over HTTP."""

from __future__ import annotations

from enrichment import services
from enrichment.search_progress import search_progress_recorder
from klentyadmin.core.once import new_key
from klentyadmin.integrations.snov import SnovClient
from tests.enrichment.test_flow import DOMAIN, HTMX, snov_state


def poll(client, key: str):
    return client.get("/enrichment/search-progress/", {"key": key}, **HTMX)


def test_the_poll_sees_each_step_with_its_requests_and_credits(
    manager_client, manager_user, snov_sandbox
):
    key = new_key()
    recorder = search_progress_recorder(manager_user, key, DOMAIN)
    seen = []

    def watched(step, requests, credits):
        recorder(step, requests, credits)
        seen.append(poll(manager_client, key))  # what the page's poll gets at that moment

    services.search_domain(SnovClient.from_settings(), DOMAIN, progress=watched)
    recorder.finish()

    texts = [answer.content.decode() for answer in seen]
    assert "Step 1 of 4, asking Snov.io for the company… 1 request to Snov.io so far" in texts[0]
    assert "Step 2 of 4, asking Snov.io for the prospects…" in texts[1]
    assert "1 credit spent" in texts[1]  # the company step is the one that costs
    assert "Step 4 of 4, asking Snov.io for the generic contacts…" in texts[3]
    assert all(answer.status_code == 200 for answer in seen[:4])
    counts = [a.context["progress"].requests_made for a in seen]
    assert counts == sorted(counts) and counts[-1] >= 9  # starts, polls, balances
    done = poll(manager_client, key)
    assert done.status_code == 286  # htmx: stop polling
    assert f"Done: {counts[-1]} requests to Snov.io, 1 credit spent." in done.content.decode()
    assert snov_state(snov_sandbox)["spent"] == 1


def test_a_search_from_the_page_records_its_progress(manager_client, snov_sandbox):
    key = new_key()
    manager_client.get("/enrichment/", {"domain": DOMAIN, "progress_key": key}, **HTMX)

    done = poll(manager_client, key)
    assert done.status_code == 286
    assert "Done:" in done.content.decode() and "1 credit spent" in done.content.decode()
    # The same domain again comes from the stored results: nothing asked, nothing spent.
    manager_client.get("/enrichment/", {"domain": DOMAIN, "progress_key": key}, **HTMX)
    again = poll(manager_client, key).content.decode()
    assert "Done: 0 requests to Snov.io, 0 credits spent." in again


def test_the_search_form_carries_a_progress_key_and_its_poll_address(manager_client):
    body = manager_client.get("/enrichment/").content.decode()
    form = body.split('data-progress-url="')[1].split('"')[0]
    key = body.split('name="progress_key" value="')[1].split('"')[0]
    assert form == f"/enrichment/search-progress/?key={key}" and len(key) == 32
    assert 'id="search-progress"' in body


def test_another_users_search_progress_is_not_shown(
    manager_client, manager_user, rep_client, rep_user, snov_sandbox
):
    key = new_key()
    rep_client.get("/enrichment/", {"domain": DOMAIN, "progress_key": key}, **HTMX)
    answer = poll(manager_client, key)
    assert answer.status_code == 200 and "search-progress" not in answer.content.decode()
    # Nor can another user write into it.
    assert search_progress_recorder(rep_user, key, DOMAIN) is not None
    assert search_progress_recorder(manager_user, key, DOMAIN) is None


def test_a_malformed_key_searches_unwatched(manager_client, snov_sandbox):
    page = manager_client.get("/enrichment/", {"domain": DOMAIN, "progress_key": "x"}, **HTMX)
    assert page.status_code == 200 and page.context["results"]
    answer = poll(manager_client, "x")
    assert answer.status_code == 200 and "search-progress" not in answer.content.decode()


def test_search_again_is_watched_with_its_own_key(manager_client, snov_sandbox):
    manager_client.get("/enrichment/", {"domain": DOMAIN}, **HTMX)
    stored = manager_client.get("/enrichment/", {"domain": DOMAIN}, **HTMX).content.decode()
    link = stored.split('data-testid="refresh-cost"')[1].split("</a>")[0]
    key = link.split("progress_key=")[1].split('"')[0]
    assert f'data-progress-url="/enrichment/search-progress/?key={key}"' in link

    manager_client.get(
        "/enrichment/", {"domain": DOMAIN, "fresh": "1", "progress_key": key}, **HTMX
    )
    assert "Done:" in poll(manager_client, key).content.decode()


def test_progress_older_than_a_day_is_forgotten_at_the_next_search(manager_user, db):
    from datetime import timedelta

    from django.utils import timezone

    from enrichment.models import DomainSearchProgress

    old = DomainSearchProgress.objects.create(key="o" * 32, created_by=manager_user, domain="a.b")
    DomainSearchProgress.objects.filter(pk=old.pk).update(
        updated_at=timezone.now() - timedelta(days=2)
    )
    search_progress_recorder(manager_user, new_key(), DOMAIN)
    assert not DomainSearchProgress.objects.filter(pk=old.pk).exists()
    assert DomainSearchProgress.objects.count() == 1
