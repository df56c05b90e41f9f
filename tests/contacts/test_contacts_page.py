"""The CRM contacts page: search, lead status badges, errors with a retry."""

from __future__ import annotations

from sandbox.team import TEAM_EMAILS
from tests.contacts.helpers import cache, crm_contacts


def test_everyone_may_search_the_crm_contacts(rep_client, sandbox):
    response = rep_client.get("/contacts/")
    assert response.status_code == 200
    assert b"300 contacts" in response.content
    assert b"Import into Klenty" in response.content


def test_lead_statuses_show_as_badges_in_their_colours(manager_client, sandbox):
    response = manager_client.get("/contacts/", {"q": "a"})
    html = response.content.decode()
    assert 'style="background: #3B82F6; color: #ffffff">New Lead</span>' in html
    assert 'style="background: #10B981;' in html


def test_a_search_answers_the_results_partial_to_htmx(manager_client, sandbox):
    person = next(c for c in crm_contacts(sandbox) if c["email"])
    response = manager_client.get("/contacts/", {"q": person["email"]}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert person["email"] in html and "1 contact match" in html


def test_contacts_already_in_klenty_are_marked(manager_client, sandbox):
    person = next(c for c in crm_contacts(sandbox) if c["email"])
    cache(person["email"], TEAM_EMAILS[0])
    response = manager_client.get("/contacts/", {"q": person["email"]})
    assert b"In Klenty" in response.content


def test_the_page_costs_the_same_queries_however_many_contacts(
    manager_client, sandbox, django_assert_max_num_queries
):
    with django_assert_max_num_queries(6):
        manager_client.get("/contacts/")


def test_a_failing_crm_shows_its_message_and_a_retry_not_a_500(manager_client, sandbox):
    sandbox.fail_next(status=500, path_contains="/crm/")
    response = manager_client.get("/contacts/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "The contacts CRM is not answering right now" in html and ">Retry</a>" in html
    assert b"300 contacts" in manager_client.get("/contacts/").content


def test_anonymous_visitors_are_sent_to_sign_in(client, db):
    response = client.get("/contacts/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
