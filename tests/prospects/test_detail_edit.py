from __future__ import annotations

import pytest
from django.urls import reverse

from klentyadmin.integrations.klenty import KlentyClient
from prospects.editing import known_outcomes, refresh_prospect
from prospects.models import BulkAction, BulkJob, BulkJobItem, Prospect
from tests.prospects.test_search import DIEGO, PRIYA, make_prospect

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def klenty(sandbox, settings):
    """The sandbox, with retries quick and the rate limit out of the way."""
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100000
    settings.API_BACKOFF_BASE = 0.01
    settings.API_BACKOFF_CAP = 0.05
    settings.API_MAX_ATTEMPTS = 2
    return sandbox


def sandbox_email(klenty, owner: str) -> str:
    return klenty.find_prospects(owner=owner, limit=1)[0]["email"]


def cached(klenty, email: str) -> Prospect:
    """A cache row filled from what the client reads (the sync is not under test here)."""
    prospect = Prospect.objects.create(email=email, owner_email=klenty.prospect(email)["owner"])
    return refresh_prospect(KlentyClient.from_settings(), prospect)


def writes(klenty) -> list[dict]:
    return [r for r in klenty.requests() if r["method"] == "POST"]


def form_data(**overrides) -> dict:
    data = {
        "email": "new.person@fresh.example",
        "first_name": "Nova",
        "last_name": "Person",
        "company": "Fresh Start",
        "company_domain": "fresh.example",
        "title": "Head of Growth",
        "phone": "+1 555 0100",
        "city": "Lyon",
        "country": "France",
        "list_name": "Brand New List",
        "tags": "webinar, q3",
        "custom_key_0": "industry",
        "custom_value_0": "Robotics",
    }
    data.update(overrides)
    return data


# -- detail ------------------------------------------------------------------------


def test_the_detail_page_shows_the_cached_record(manager_client, db):
    prospect = make_prospect(
        full_name="Ada Lovelace",
        tags=["vip", "q3"],
        custom_fields={"industry": "Computing"},
        cadence_name="Autumn Outreach",
        outcome="Interested",
    )
    response = manager_client.get(reverse("prospects:detail", args=[prospect.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Ada Lovelace" in body and prospect.email in body
    assert "vip" in body and "q3" in body
    assert "Computing" in body and "Autumn Outreach" in body and "Interested" in body
    assert "As of" in body
    assert reverse("prospects:refresh", args=[prospect.pk]) in body


def test_the_detail_page_lists_the_prospects_bulk_job_items(manager_client, manager_user, db):
    prospect = make_prospect()
    job = BulkJob.objects.create(action=BulkAction.ADD_TAGS, created_by=manager_user, total=1)
    BulkJobItem.objects.create(
        job=job,
        prospect=prospect,
        email=prospect.email,
        state=BulkJobItem.State.FAILED,
        message="Klenty is not answering right now",
    )
    body = manager_client.get(reverse("prospects:detail", args=[prospect.pk])).content.decode()
    assert "Add tags" in body and "Failed" in body
    assert "Klenty is not answering right now" in body


def test_a_rep_gets_404_for_another_reps_prospect(rep_client, db):
    theirs = make_prospect(owner_email=DIEGO)
    mine = make_prospect(owner_email=PRIYA)
    assert rep_client.get(reverse("prospects:detail", args=[theirs.pk])).status_code == 404
    assert rep_client.get(reverse("prospects:edit", args=[theirs.pk])).status_code == 404
    assert rep_client.post(reverse("prospects:edit", args=[theirs.pk]), {}).status_code == 404
    assert rep_client.post(reverse("prospects:refresh", args=[theirs.pk])).status_code == 404
    assert rep_client.get(reverse("prospects:detail", args=[mine.pk])).status_code == 200


def test_refresh_only_accepts_post(manager_client, db):
    prospect = make_prospect()
    assert manager_client.get(reverse("prospects:refresh", args=[prospect.pk])).status_code == 405


def test_refresh_reads_klenty_and_updates_the_cache(manager_client, klenty):
    email = sandbox_email(klenty, PRIYA)
    prospect = Prospect.objects.create(email=email, owner_email=PRIYA, full_name="Stale Name")
    response = manager_client.post(reverse("prospects:refresh", args=[prospect.pk]), **HTMX)
    state = klenty.prospect(email)
    prospect.refresh_from_db()
    body = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in body and 'id="prospect-record"' in body
    assert "refreshed from Klenty just now" in body
    assert prospect.full_name == state["fields"]["FullName"] != "Stale Name"
    assert prospect.prospect_status == state["status"]
    assert prospect.cadence_status == state["cadence_status"]
    assert prospect.tags == state["tags"]
    assert prospect.custom_fields == state["custom_fields"]
    assert prospect.prospect_list.name == state["list"]
    assert prospect.klenty_id == state["id"]
    assert prospect.status_checked_at is not None


def test_a_failed_refresh_shows_klentys_message_and_changes_nothing(manager_client, klenty):
    email = sandbox_email(klenty, PRIYA)
    prospect = Prospect.objects.create(email=email, owner_email=PRIYA, full_name="Stale Name")
    before = Prospect.objects.filter(pk=prospect.pk).values().get()
    klenty.fail_next(count=10, status=503)
    response = manager_client.post(reverse("prospects:refresh", args=[prospect.pk]), **HTMX)
    body = response.content.decode()
    assert response.status_code == 200
    assert "not answering right now" in body
    assert "Try again" in body
    assert Prospect.objects.filter(pk=prospect.pk).values().get() == before


def test_refresh_without_htmx_redirects_back_with_a_message(manager_client, klenty):
    email = sandbox_email(klenty, PRIYA)
    prospect = Prospect.objects.create(email=email, owner_email=PRIYA)
    response = manager_client.post(reverse("prospects:refresh", args=[prospect.pk]), follow=True)
    assert response.redirect_chain[-1][0] == reverse("prospects:detail", args=[prospect.pk])
    assert "Refreshed from Klenty." in response.content.decode()


# -- create ------------------------------------------------------------------------


def test_the_create_form_has_every_documented_field(manager_client, klenty):
    body = manager_client.get(reverse("prospects:create")).content.decode()
    for name in (
        "email",
        "first_name",
        "middle_name",
        "last_name",
        "full_name",
        "company",
        "company_domain",
        "account",
        "department",
        "title",
        "location",
        "phone",
        "twitter_id",
        "company_phone",
        "company_email",
        "linkedin_url",
        "city",
        "country",
        "list_name",
        "tags",
        "owner",
        "custom_key_0",
        "custom_value_2",
    ):
        assert f'name="{name}"' in body, name
    assert 'name="outcome"' not in body
    assert 'list="known-lists"' in body


def test_a_rep_creates_a_prospect_in_klenty_owned_by_them(rep_client, klenty):
    response = rep_client.post(reverse("prospects:create"), form_data(owner=DIEGO))
    state = klenty.prospect("new.person@fresh.example")
    assert state["owner"] == PRIYA  # a Rep cannot hand a new prospect to someone else
    assert state["fields"]["FirstName"] == "Nova"
    assert state["fields"]["Company"] == "Fresh Start"
    assert state["fields"]["Phone"] == "+1 555 0100"
    assert state["list"] == "Brand New List"
    assert state["tags"] == ["webinar", "q3"]
    assert state["custom_fields"] == {"industry": "Robotics"}
    prospect = Prospect.objects.get(email="new.person@fresh.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("prospects:detail", args=[prospect.pk])
    assert prospect.owner_email == PRIYA
    assert prospect.klenty_id == state["id"]
    assert prospect.prospect_status == "Not Contacted"
    assert prospect.tags == ["webinar", "q3"]
    assert prospect.prospect_list.name == "Brand New List"


def test_a_manager_chooses_the_owner(manager_client, klenty):
    manager_client.post(reverse("prospects:create"), form_data(owner=DIEGO))
    assert klenty.prospect("new.person@fresh.example")["owner"] == DIEGO
    assert Prospect.objects.get(email="new.person@fresh.example").owner_email == DIEGO


def test_field_errors_are_shown_and_nothing_is_sent(manager_client, klenty):
    response = manager_client.post(
        reverse("prospects:create"),
        form_data(
            email="not-an-email",
            phone="call me",
            company_email="nope",
            company_domain="no spaces.example",
            tags="good, " + "t" * 101,
            custom_key_1="",
            custom_value_1="orphan value",
        ),
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid email address." in body
    assert "Enter a phone number" in body
    assert "Enter a domain" in body
    assert "is longer than 100 characters" in body
    assert "Name the custom field for this value." in body
    assert writes(klenty) == []


def test_an_email_already_in_the_cache_is_a_field_error(manager_client, klenty):
    make_prospect(email="new.person@fresh.example")
    response = manager_client.post(reverse("prospects:create"), form_data())
    assert "already in the dashboard" in response.content.decode()
    assert writes(klenty) == []


def test_an_email_already_in_klenty_is_refused_rather_than_silently_ignored(manager_client, klenty):
    email = sandbox_email(klenty, DIEGO)
    response = manager_client.post(reverse("prospects:create"), form_data(email=email))
    assert "already exists in Klenty" in response.content.decode()
    assert not Prospect.objects.filter(email=email).exists()
    assert writes(klenty) == []


def test_a_failed_create_keeps_everything_typed_and_shows_klentys_message(manager_client, klenty):
    klenty.fail_next(count=10, status=503, path_contains="/prospects")
    response = manager_client.post(reverse("prospects:create"), form_data(account="Payments"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "not answering right now" in body
    for value in (
        "new.person@fresh.example",
        "Nova",
        "Fresh Start",
        "Payments",
        "Brand New List",
        "webinar, q3",
        "industry",
        "Robotics",
        "+1 555 0100",
    ):
        assert f'value="{value}"' in body, value
    assert not Prospect.objects.filter(email="new.person@fresh.example").exists()


# -- edit --------------------------------------------------------------------------


def test_the_edit_form_is_filled_from_the_cache(manager_client, klenty):
    prospect = cached(klenty, sandbox_email(klenty, PRIYA))
    body = manager_client.get(reverse("prospects:edit", args=[prospect.pk])).content.decode()
    assert f'value="{prospect.email}"' in body and "disabled" in body
    assert f'value="{prospect.full_name}"' in body
    for key in prospect.custom_fields:
        assert f'value="{key}"' in body
    assert 'name="outcome"' in body and "Meeting Booked" in body


def outcome_options(response) -> list[str]:
    return [value for value, _ in response.context["form"].fields["outcome"].choices if value]


def test_the_edit_form_offers_the_configured_outcomes_then_the_cached_ones(
    manager_client, settings, db
):
    settings.KLENTY_OUTCOMES = ["Qualified", "Disqualified"]
    make_prospect(outcome="Champion")
    make_prospect(outcome="champion")  # Klenty's outcomes are case-sensitive: another one
    make_prospect(outcome="Qualified")
    prospect = make_prospect(outcome="")

    response = manager_client.get(reverse("prospects:edit", args=[prospect.pk]))

    assert outcome_options(response) == ["Qualified", "Disqualified", "Champion", "champion"]
    assert "Meeting Booked" not in response.content.decode()  # no sandbox demo outcome


def test_the_outcomes_already_cached_take_one_query(settings, db, django_assert_num_queries):
    settings.KLENTY_OUTCOMES = []
    make_prospect(outcome="Won")
    make_prospect(outcome="Won")
    make_prospect(outcome="Lost")

    with django_assert_num_queries(1):
        assert known_outcomes() == ["Lost", "Won"]


def test_with_no_outcome_known_the_outcome_is_typed_and_sent_as_typed(
    manager_client, klenty, settings
):
    settings.KLENTY_OUTCOMES = []
    prospect = Prospect.objects.create(email=sandbox_email(klenty, PRIYA), owner_email=PRIYA)
    url = reverse("prospects:edit", args=[prospect.pk])

    assert '<input type="text" name="outcome"' in manager_client.get(url).content.decode()
    response = manager_client.post(url, {"outcome": "Meeting Booked"})

    assert response.status_code == 302
    assert klenty.prospect(prospect.email)["outcome"] == "Meeting Booked"


def test_an_edit_is_written_to_klenty_then_to_the_cache(manager_client, klenty):
    prospect = cached(klenty, sandbox_email(klenty, PRIYA))
    assert prospect.tags, "the seed gives this prospect tags"
    kept, dropped = prospect.tags[0], prospect.tags[1:]
    data = {
        "title": "Chief Revenue Officer",
        "company": "Renamed Co",
        "tags": f"{kept}, brand-new",
        "outcome": "Interested",
        "owner": DIEGO,
        "list_name": "Webinar Attendees",
        "custom_key_0": "industry",
        "custom_value_0": "Space",
    }
    response = manager_client.post(reverse("prospects:edit", args=[prospect.pk]), data)
    assert response.status_code == 302
    state = klenty.prospect(prospect.email)
    assert state["fields"]["Title"] == "Chief Revenue Officer"
    assert state["fields"]["Company"] == "Renamed Co"
    assert {t.lower() for t in state["tags"]} == {kept.lower(), "brand-new"}
    assert state["outcome"] == "Interested"
    assert state["owner"] == DIEGO
    assert state["list"] == "Webinar Attendees"
    assert state["custom_fields"]["industry"] == "Space"
    prospect.refresh_from_db()
    assert prospect.title == "Chief Revenue Officer"
    assert prospect.tags == [kept, "brand-new"]
    assert prospect.outcome == "Interested"
    assert prospect.owner_email == DIEGO
    assert prospect.custom_fields["industry"] == "Space"
    assert prospect.prospect_list.name == "Webinar Attendees"
    if dropped:
        assert any(r["path"].endswith("/removeTags") for r in writes(klenty))


def test_a_rep_edits_their_own_prospect_and_keeps_it(rep_client, klenty):
    prospect = cached(klenty, sandbox_email(klenty, PRIYA))
    body = rep_client.get(reverse("prospects:edit", args=[prospect.pk])).content.decode()
    assert 'name="owner"' not in body
    response = rep_client.post(
        reverse("prospects:edit", args=[prospect.pk]),
        {"title": "New Title", "owner": DIEGO, "tags": ", ".join(prospect.tags)},
    )
    assert response.status_code == 302
    state = klenty.prospect(prospect.email)
    assert state["fields"]["Title"] == "New Title"
    assert state["owner"] == PRIYA


def test_a_failed_edit_keeps_the_input_and_changes_nothing(manager_client, klenty):
    prospect = cached(klenty, sandbox_email(klenty, PRIYA))
    before = Prospect.objects.filter(pk=prospect.pk).values().get()
    klenty.fail_next(count=10, status=503)
    response = manager_client.post(
        reverse("prospects:edit", args=[prospect.pk]),
        {"title": "Typed Title", "city": "Typed City", "tags": "typed-tag"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Klenty did not save it" in body and "not answering right now" in body
    assert 'value="Typed Title"' in body and 'value="Typed City"' in body
    assert 'value="typed-tag"' in body
    assert Prospect.objects.filter(pk=prospect.pk).values().get() == before
    assert klenty.prospect(prospect.email)["fields"]["Title"] != "Typed Title"


def test_an_unknown_outcome_is_a_field_error(manager_client, klenty):
    prospect = cached(klenty, sandbox_email(klenty, PRIYA))
    response = manager_client.post(
        reverse("prospects:edit", args=[prospect.pk]), {"outcome": "interested"}
    )
    assert "Select a valid choice" in response.content.decode()
    assert writes(klenty) == []
