"""The Do-not-email List, the free email count, the LinkedIn-URL lookup and the
Snov.io profile panel of a prospect; against the sandbox over HTTP."""

from __future__ import annotations

import pytest

from klentyadmin.core.models import AuditEntry
from klentyadmin.integrations.snov import SnovClient
from prospects.models import Prospect
from tests.enrichment.test_flow import DOMAIN, HTMX, snov_state


def a_known_person() -> tuple[str, str]:
    """(email, prospect hash) of someone Snov.io knows at DOMAIN."""
    snov = SnovClient.from_settings()
    for p in snov.domain_prospects(DOMAIN).prospects:
        emails = snov.prospect_emails(p.prospect_hash)
        if emails:
            return emails[0].email, p.prospect_hash
    raise AssertionError("the seed has nobody with an email")


# -- the Do-not-email List ------------------------------------------------------------


def test_an_email_goes_on_the_do_not_email_list_with_its_reason_audited(
    manager_client, manager_user, snov_sandbox
):
    answer = manager_client.post(
        "/enrichment/do-not-email/",
        {"item": " Ana@Brightforge.example ", "reason": "Asked us to stop", "list_id": "7"},
        follow=True,
    )

    assert "ana@brightforge.example was added to the Do-not-email List." in (
        answer.content.decode()
    )
    entry = AuditEntry.objects.get(action="do_not_email_list")
    assert (entry.actor, entry.target, entry.ok) == (manager_user, "ana@brightforge.example", True)
    assert entry.details["reason"] == "Asked us to stop"
    assert "Asked us to stop" in manager_client.get("/enrichment/do-not-email/").content.decode()
    again = manager_client.post(
        "/enrichment/do-not-email/",
        {"item": "ana@brightforge.example", "reason": "Twice", "list_id": "7"},
        follow=True,
    )
    assert "was already on the Do-not-email List" in again.content.decode()


def test_a_domain_goes_on_the_list_too(manager_client, snov_sandbox):
    manager_client.post(
        "/enrichment/do-not-email/",
        {"item": "https://www.Competitor.example/", "reason": "A competitor", "list_id": "7"},
    )
    assert AuditEntry.objects.get(action="do_not_email_list").target == "competitor.example"


@pytest.mark.parametrize(
    "posted, field, message",
    [
        ({"item": "not an email@", "reason": "x", "list_id": "7"}, "item", "Enter an email"),
        ({"item": "no domain", "reason": "x", "list_id": "7"}, "item", "Enter a company domain"),
        ({"item": "a@b.example", "reason": "  ", "list_id": "7"}, "reason", "required"),
        ({"item": "a@b.example", "reason": "x", "list_id": "seven"}, "list_id", "a number"),
    ],
)
def test_bad_input_is_a_field_error_and_nothing_is_sent(
    manager_client, snov_sandbox, posted, field, message
):
    answer = manager_client.post("/enrichment/do-not-email/", posted)
    assert answer.status_code == 400
    assert message in " ".join(answer.context["form"].errors[field])
    assert snov_sandbox.requests() == []
    assert not AuditEntry.objects.exists()


def test_the_page_asks_the_same_queries_however_many_were_added(
    manager_client, manager_user, django_assert_max_num_queries
):
    def add(count):
        AuditEntry.objects.bulk_create(
            AuditEntry(
                service="snov",
                action="do_not_email_list",
                target=f"x{i}.example",
                details={"reason": "r"},
                ok=True,
                actor=manager_user,
            )
            for i in range(count)
        )

    add(2)
    with django_assert_max_num_queries(6) as few:
        manager_client.get("/enrichment/do-not-email/")
    add(120)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = manager_client.get("/enrichment/do-not-email/")
    assert page.content.decode().count("x1") >= 1 and len(page.context["added"]) == 50


def test_the_list_id_comes_from_the_setting(manager_client, snov_sandbox, settings):
    settings.SNOV_DO_NOT_EMAIL_LIST_ID = "4242"
    page = manager_client.get("/enrichment/do-not-email/")
    assert 'value="4242"' in page.content.decode()


# -- the email count --------------------------------------------------------------


def test_the_email_count_is_shown_before_the_search_and_costs_nothing(manager_client, snov_sandbox):
    before = snov_state(snov_sandbox)["spent"]

    answer = manager_client.get("/enrichment/email-count/", {"domain": DOMAIN}, **HTMX)

    body = answer.content.decode()
    count = SnovClient.from_settings().email_count(DOMAIN).count
    assert count > 1 and f"Snov.io holds {count} emails for {DOMAIN}" in body
    assert "The search will cost 1 credit." in body
    assert snov_state(snov_sandbox)["spent"] == before
    assert [r["path"] for r in snov_sandbox.requests() if "count" in r["path"]]


def test_a_stored_search_says_what_opening_it_and_searching_again_cost(
    manager_client, snov_sandbox
):
    manager_client.get("/enrichment/", {"domain": DOMAIN}, **HTMX)

    answer = manager_client.get("/enrichment/email-count/", {"domain": DOMAIN}, **HTMX)
    assert "opening them is free and instant. Search again costs no credit either" in (
        answer.content.decode()
    )
    page = manager_client.get("/enrichment/", {"domain": DOMAIN}, **HTMX)
    assert "Search again (no credit)" in page.content.decode()
    assert 'data-testid="refresh-cost"' in page.content.decode()
    # And so it is: Snov.io charges a domain once (the sandbox too).
    spent = snov_state(snov_sandbox)["spent"]
    manager_client.get("/enrichment/", {"domain": DOMAIN, "fresh": "1"}, **HTMX)
    assert snov_state(snov_sandbox)["spent"] == spent


def test_a_domain_snov_knows_nothing_of_says_the_search_will_likely_cost_nothing(
    manager_client, snov_sandbox
):
    answer = manager_client.get("/enrichment/email-count/", {"domain": "nobody.example"}, **HTMX)
    assert "Snov.io holds 0 emails" in answer.content.decode()
    assert "cost nothing" in answer.content.decode()


def test_a_half_typed_domain_asks_nothing(manager_client, snov_sandbox):
    answer = manager_client.get("/enrichment/email-count/", {"domain": "brightfo"}, **HTMX)
    assert answer.status_code == 200 and "Snov.io holds" not in answer.content.decode()
    assert snov_sandbox.requests() == []


def test_the_count_is_asked_as_the_domain_is_typed(manager_client):
    body = manager_client.get("/enrichment/").content.decode()
    counter = body.split('id="email-count"')[1].split(">")[0]
    assert 'hx-get="/enrichment/email-count/"' in counter
    assert "from:#id_domain" in counter and 'hx-include="#id_domain"' in counter


# -- the LinkedIn-URL lookup ------------------------------------------------------------


def test_a_url_snov_is_still_searching_says_so_and_check_again_is_free(
    manager_client, snov_sandbox
):
    _, prospect_hash = a_known_person()
    snov_sandbox.configure(snov_task_delay_ms=60_000)  # Snov.io takes a minute
    url = f"https://www.linkedin.com/in/{prospect_hash[:12]}/"
    before = snov_state(snov_sandbox)["spent"]

    first = manager_client.post("/enrichment/finder/profile-url/", {"url": url}, **HTMX)

    assert 'data-testid="url-searching"' in first.content.decode()
    assert 'name="check_only" value="1"' in first.content.decode()
    assert snov_state(snov_sandbox)["spent"] == before + 1
    since = snov_sandbox.last_seq()
    again = manager_client.post(
        "/enrichment/finder/profile-url/", {"url": url, "check_only": "1"}, **HTMX
    )
    assert 'data-testid="url-searching"' in again.content.decode()
    assert snov_state(snov_sandbox)["spent"] == before + 1
    assert not [r for r in snov_sandbox.requests(since) if "add-url" in r["path"]]


def test_a_linkedin_url_found_at_once_shows_the_person_and_email(manager_client, snov_sandbox):
    snov_sandbox.configure(snov_task_delay_ms=0)
    email, prospect_hash = a_known_person()
    url = f"https://www.linkedin.com/in/{prospect_hash[:12]}/"

    answer = manager_client.post("/enrichment/finder/profile-url/", {"url": url}, **HTMX)

    body = answer.content.decode()
    assert 'data-testid="url-profiles"' in body and email in body


@pytest.mark.parametrize("url", ["", "not a url", "ftp://x.example/in/a"])
def test_a_bad_url_is_a_field_error_and_costs_nothing(manager_client, snov_sandbox, url):
    answer = manager_client.post("/enrichment/finder/profile-url/", {"url": url}, **HTMX)
    assert answer.status_code == 200
    assert answer.context["url_form"].errors["url"]
    assert 'role="alert"' in answer.content.decode()
    assert snov_sandbox.requests() == []


def test_the_url_lookup_is_for_managers(rep_client, snov_sandbox):
    assert (
        rep_client.post(
            "/enrichment/finder/profile-url/", {"url": "https://x.example/in/a"}
        ).status_code
        == 403
    )
    assert "Find by LinkedIn profile" not in rep_client.get("/enrichment/finder/").content.decode()
    assert snov_sandbox.requests() == []


# -- the Snov.io profile panel of a prospect ----------------------------------------------


def test_the_prospect_page_offers_the_panel_and_loads_it_on_click(manager_client, snov_sandbox):
    email, _ = a_known_person()
    prospect = Prospect.objects.create(email=email, first_name="Known")
    page = manager_client.get(f"/prospects/{prospect.pk}/").content.decode()
    assert 'data-testid="snov-profile"' in page and "Look up in Snov.io" in page
    assert f'hx-post="/enrichment/prospect/{prospect.pk}/profile/"' in page
    before = snov_state(snov_sandbox)["spent"]

    panel = manager_client.post(f"/enrichment/prospect/{prospect.pk}/profile/", **HTMX)

    body = panel.content.decode()
    assert "Snov.io profile" in body and "Works at" in body and "BrightForge" in body
    assert snov_state(snov_sandbox)["spent"] == before + 1


def test_an_email_snov_does_not_know_costs_nothing(manager_client, snov_sandbox):
    prospect = Prospect.objects.create(email="nobody@nowhere.example")
    before = snov_state(snov_sandbox)["spent"]
    panel = manager_client.post(f"/enrichment/prospect/{prospect.pk}/profile/", **HTMX)
    assert "Snov.io has no profile for this email. No credit was spent." in panel.content.decode()
    assert snov_state(snov_sandbox)["spent"] == before


def test_the_panel_names_the_snov_lists_the_email_is_in(manager_client, snov_sandbox):
    email, _ = a_known_person()
    snov = SnovClient.from_settings()
    snov.add_prospect_to_list(snov.create_list("Hot leads"), email, firstName="Known")
    prospect = Prospect.objects.create(email=email)
    panel = manager_client.post(f"/enrichment/prospect/{prospect.pk}/profile/", **HTMX)
    assert "In our Snov.io lists: Hot leads" in panel.content.decode()


def test_reps_get_no_panel_and_cannot_spend_on_one(rep_client, rep_user, snov_sandbox):
    own = Prospect.objects.create(
        email="mine@brightforge.example", owner_email=rep_user.klenty_email
    )
    page = rep_client.get(f"/prospects/{own.pk}/")
    assert page.status_code == 200 and 'data-testid="snov-profile"' not in page.content.decode()
    assert rep_client.post(f"/enrichment/prospect/{own.pk}/profile/").status_code == 403
    assert snov_sandbox.requests() == []


def test_a_prospect_the_manager_cannot_see_is_a_404(manager_client, snov_sandbox):
    assert manager_client.post("/enrichment/prospect/987654/profile/").status_code == 404
