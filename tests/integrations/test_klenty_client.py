"""The Klenty client against the sandbox, over real HTTP: every documented endpoint
changes or reads the simulated state as Klenty would, and failures arrive as the
right domain errors. The sandbox's seeded data is deterministic; tests find the
prospects they need through its control API rather than hard-coding them."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest

from klentyadmin.core.models import ApiCall, AuditEntry
from klentyadmin.integrations.errors import (
    ApiAuthError,
    ApiNotFound,
    ApiRateLimited,
    ApiUnavailable,
    ApiValidationError,
)
from klentyadmin.integrations.klenty import KlentyClient, ProspectFields
from sandbox.team import MANAGER_EMAIL, TEAM_EMAILS

pytestmark = pytest.mark.django_db

LIST_NAMES = {
    "Inbound Leads",
    "Webinar Attendees",
    "ABM Tier 1",
    "ABM Tier 2",
    "Free Trial Signups",
    "Event Leads",
    "Partner Referrals",
    "Cold Outbound",
}
CADENCE = "Inbound Fast Follow-up"


@pytest.fixture
def klenty(sandbox, actor) -> KlentyClient:
    return KlentyClient.from_settings(actor=actor)


def today():
    return datetime.now(UTC).date()


def one(sandbox, **filters) -> dict:
    (found,) = sandbox.find_prospects(limit=1, **filters)
    return found


def requests_to(sandbox, since: int, fragment: str) -> list[dict]:
    return [r for r in sandbox.requests(since) if fragment in r["path"]]


# -- reads ----------------------------------------------------------------------


def test_it_reads_a_prospect_by_email(klenty, sandbox):
    seeded = one(sandbox, status="Not Contacted")
    prospect = klenty.get_prospect(seeded["email"])
    assert (prospect.id, prospect.email) == (seeded["id"], seeded["email"])
    assert prospect.list_name == seeded["list"]
    assert prospect.list_id == ""
    assert prospect.owner == seeded["owner"]
    assert prospect.tags == seeded["tags"]
    assert prospect.full_name


def test_it_reads_a_prospects_status_by_email_and_by_id(klenty, sandbox):
    seeded = one(sandbox, status="In Cadence")
    by_email = klenty.get_prospect_status(seeded["email"])
    assert by_email.prospect_status == "In Cadence"
    assert by_email.cadence_status == seeded["cadence_status"]
    assert klenty.get_prospect_status_by_id(seeded["id"]) == by_email


def test_it_reads_prospects_created_and_updated_since_a_date(klenty, sandbox):
    klenty.create_prospect(ProspectFields(email="new.lead@acme.example", first_name="New"))
    created = klenty.get_prospects_created_between(today())
    assert "new.lead@acme.example" in {p.email for p in created}
    week = klenty.get_prospects_created_between(today() - timedelta(days=7), today())
    assert len(week) > len(created)

    seeded = one(sandbox, status="Completed")
    klenty.update_prospect(seeded["email"], ProspectFields(title="Chief Revenue Officer"))
    updated = klenty.get_prospects_updated_since(today())
    assert seeded["email"] in {p.email for p in updated}


def test_it_reads_custom_fields(klenty, sandbox):
    seeded = one(sandbox, status="Replied")
    klenty.update_prospect(seeded["email"], ProspectFields(custom_fields={"Budget": "50k"}))
    prospect = klenty.get_prospect_with_custom_fields(seeded["email"])
    assert prospect.custom_fields["Budget"] == "50k"
    assert prospect.custom_fields == sandbox.prospect(seeded["email"])["custom_fields"]


def test_it_reads_the_teams_lists(klenty):
    lists = klenty.get_lists()
    assert {ls.name for ls in lists} == LIST_NAMES
    assert all(ls.id for ls in lists)
    assert klenty.test_connection() == lists


def test_it_pages_through_a_list_keeping_list_id_and_name_apart(klenty, sandbox):
    list_id = {ls.name: ls.id for ls in klenty.get_lists()}["Event Leads"]
    members = sandbox.find_prospects(list="Event Leads", limit=1000)
    assert 100 < len(members) < 1000
    first_page = klenty.get_prospects_in_list("Event Leads", page=1, limit=50)
    assert len(first_page) == 50
    assert {(p.list_id, p.list_name) for p in first_page} == {(list_id, "Event Leads")}
    since = sandbox.last_seq()
    everyone = list(klenty.iter_prospects_in_list("Event Leads", limit=100))
    assert sorted(p.email for p in everyone) == sorted(m["email"] for m in members)
    assert len(requests_to(sandbox, since, "/prospects")) == len(members) // 100 + 1


def test_an_unknown_list_is_not_found(klenty):
    with pytest.raises(ApiNotFound) as caught:
        klenty.get_prospects_in_list("No Such List")
    assert caught.value.code == "K2003"


def test_it_reads_company_and_user_cadences(klenty):
    company = klenty.get_company_cadences()
    assert len(company) == 10
    assert CADENCE in {c.name for c in company}
    owned = [klenty.get_user_cadences(member) for member in TEAM_EMAILS]
    assert sorted(c.id for cadences in owned for c in cadences) == sorted(c.id for c in company)


def test_it_reads_every_call_of_a_team_member_following_has_more(klenty, sandbox):
    since = sandbox.last_seq()
    calls = list(klenty.iter_calls(today() - timedelta(days=29), today() + timedelta(days=1)))
    assert len(calls) == sandbox.stats()["calls_by_member"][MANAGER_EMAIL]
    pages = requests_to(sandbox, since, "/calls")
    assert len(pages) == len(calls) // 200 + 1
    assert {c.username for c in calls} == {MANAGER_EMAIL}
    assert all(c.end_time is None or c.end_time.tzinfo for c in calls)
    first = klenty.get_calls(today() - timedelta(days=29), today() + timedelta(days=1))
    assert len(first.calls) == 200 and first.has_more


def test_calls_of_another_member_come_through_as_user(klenty, sandbox):
    other = TEAM_EMAILS[1]
    calls = list(
        klenty.as_user(other).iter_calls(today() - timedelta(days=29), today() + timedelta(days=1))
    )
    assert len(calls) == sandbox.stats()["calls_by_member"][other]


def test_calls_further_back_than_klenty_keeps_are_a_validation_error(klenty):
    with pytest.raises(ApiValidationError) as caught:
        klenty.get_calls(today() - timedelta(days=45), today())
    assert caught.value.code == "K2002"


def test_it_reads_email_and_stepwise_engagement_without_auditing(klenty, sandbox):
    start, end = today() - timedelta(days=120), today()
    engagement = klenty.get_email_engagement(CADENCE, start, end)
    assert engagement.prospects_added > 0
    assert engagement.open_count >= engagement.reply_count
    steps = klenty.get_stepwise_engagement(CADENCE, start, end)
    assert [s.step_number for s in steps] == list(range(1, len(steps) + 1))
    assert sum(s.mail_count for s in steps) > 0
    mail_steps = [s for s in steps if s.step_type == "mail"]
    assert all(s.options for s in mail_steps)
    assert AuditEntry.objects.count() == 0


# -- prospect writes ---------------------------------------------------------------


def test_create_prospect_stores_every_field(klenty, sandbox, actor):
    fields = ProspectFields(
        email="Ada.Lovelace@Engines.example",
        first_name="Ada",
        last_name="Lovelace",
        company="Analytical Engines",
        title="Founder",
        city="London",
        list_name="Inbound Leads",
        tags=["vip", "event"],
        custom_fields={"Source": "Conference"},
        owner=TEAM_EMAILS[2],
    )
    assert klenty.create_prospect(fields) is None
    state = sandbox.prospect("ada.lovelace@engines.example")
    assert state["status"] == "Not Contacted"
    assert state["list"] == "Inbound Leads"
    assert state["tags"] == ["vip", "event"]
    assert state["custom_fields"] == {"Source": "Conference"}
    assert state["owner"] == TEAM_EMAILS[2]
    assert state["fields"]["Title"] == "Founder"
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.ok) == (actor, "create_prospect", True)


def test_update_prospect_changes_fields_and_outcome(klenty, sandbox):
    seeded = one(sandbox, status="Replied")
    klenty.update_prospect(seeded["email"], ProspectFields(title="VP Sales", outcome="Won"))
    state = sandbox.prospect(seeded["email"])
    assert state["fields"]["Title"] == "VP Sales"
    assert state["outcome"] == "Won"


def test_an_outcome_klenty_does_not_know_is_refused(klenty, sandbox):
    seeded = one(sandbox, status="Replied")
    with pytest.raises(ApiValidationError):
        klenty.update_prospect(seeded["email"], ProspectFields(outcome="won"))
    assert AuditEntry.objects.get().ok is False


def test_the_single_field_adds_create_prospects_with_a_list_tags_or_custom_fields(klenty, sandbox):
    klenty.add_prospect_to_list("tony@stark.example", "Tony", "Nurture Leads")
    klenty.add_prospect_with_tags("tom@acme.example", "Tom", ["ConnectLater", "warm"])
    klenty.add_custom_field_values("sheila@acme.example", "Sheila", {"key1": "value1"})
    assert sandbox.prospect("tony@stark.example")["list"] == "Nurture Leads"
    assert "Nurture Leads" in {ls.name for ls in klenty.get_lists()}
    assert sandbox.prospect("tom@acme.example")["tags"] == ["ConnectLater", "warm"]
    assert sandbox.prospect("sheila@acme.example")["custom_fields"] == {"key1": "value1"}
    assert AuditEntry.objects.filter(ok=True).count() == 3


def test_bulk_add_reports_each_prospect(klenty, sandbox):
    existing = one(sandbox, status="Completed")["email"]
    results = klenty.bulk_add_prospects(
        [
            ProspectFields(email="raj@acme.example", first_name="Raj"),
            ProspectFields(email=existing, first_name="Already"),
            ProspectFields(email="ram@acme.example", first_name="Ram", list_name="Event Leads"),
        ]
    )
    assert [(r.email, r.added) for r in results] == [
        ("raj@acme.example", True),
        (existing, False),
        ("ram@acme.example", True),
    ]
    assert sandbox.prospect("ram@acme.example")["list"] == "Event Leads"


def test_remove_tags_takes_them_off(klenty, sandbox):
    klenty.add_prospect_with_tags("tagged@acme.example", "T", ["a", "b", "c"])
    klenty.remove_tags("tagged@acme.example", ["a", "c"])
    assert sandbox.prospect("tagged@acme.example")["tags"] == ["b"]
    assert klenty.get_prospect("tagged@acme.example").tags == ["b"]


def test_unsubscribe_is_final(klenty, sandbox):
    email = one(sandbox, status="In Cadence")["email"]
    klenty.unsubscribe(email)
    assert klenty.get_prospect_status(email).prospect_status == "Unsubscribed"
    with pytest.raises(ApiValidationError):
        klenty.mark_do_not_contact(email)


def test_do_not_contact_and_back(klenty, sandbox):
    email = one(sandbox, status="Not Contacted")["email"]
    klenty.mark_do_not_contact(email)
    assert sandbox.prospect(email)["status"] == "Do Not Contact"
    klenty.revert_do_not_contact(email)
    assert sandbox.prospect(email)["status"] == "Not Contacted"


# -- cadence writes -----------------------------------------------------------------


def test_start_cadence_puts_the_prospect_in_cadence(klenty, sandbox):
    email = one(sandbox, status="Not Contacted")["email"]
    klenty.start_cadence(email, CADENCE)
    status = klenty.get_prospect_status(email)
    assert (status.prospect_status, status.cadence_status) == ("In Cadence", "In Cadence")
    assert sandbox.prospect(email)["cadence"] == CADENCE


def test_starting_an_unknown_cadence_is_not_found(klenty, sandbox):
    email = one(sandbox, status="Not Contacted")["email"]
    with pytest.raises(ApiNotFound) as caught:
        klenty.start_cadence(email, "No Such Cadence")
    assert caught.value.code == "K2003"
    assert sandbox.prospect(email)["status"] == "Not Contacted"


def test_stop_cadence_stops_the_named_one_or_all(klenty, sandbox):
    first, second = sandbox.find_prospects(status="In Cadence", limit=2)
    klenty.stop_cadence(first["email"], first["cadence"])
    klenty.stop_cadence(second["email"])
    for prospect in (first, second):
        state = sandbox.prospect(prospect["email"])
        assert state["status"] == "Manually Stopped"
        assert state["cadence_status"] == "Stopped"


def test_stop_mails_pauses_and_resume_continues(klenty, sandbox):
    email = one(sandbox, status="In Cadence")["email"]
    klenty.stop_mails(email)
    assert klenty.get_prospect_status(email).prospect_status == "Paused"
    klenty.resume_cadence(email)
    assert klenty.get_prospect_status(email).prospect_status == "In Cadence"


# -- webhooks -------------------------------------------------------------------------


def test_webhooks_can_be_added_listed_updated_and_deleted(klenty):
    hook = klenty.add_webhook("completeCadence", "https://hooks.acme.example/klenty/t0k3n")
    assert hook.event == "completeCadence"  # Klenty answers "completecadence"
    assert hook.id
    assert [(h.id, h.event) for h in klenty.get_webhooks()] == [(hook.id, "completeCadence")]
    klenty.update_webhook(hook.id, "onMailBounce", "https://hooks.acme.example/klenty/n3w")
    (updated,) = klenty.get_webhooks()
    assert (updated.event, updated.url) == ("onMailBounce", "https://hooks.acme.example/klenty/n3w")
    klenty.delete_webhook(hook.id)
    assert klenty.get_webhooks() == []
    actions = list(AuditEntry.objects.order_by("created_at").values_list("action", flat=True))
    assert actions == ["add_webhook", "update_webhook", "delete_webhook"]


def test_deleting_an_unknown_webhook_is_not_found(klenty):
    with pytest.raises(ApiNotFound):
        klenty.delete_webhook("000000000000000000000000")


# -- failures ---------------------------------------------------------------------------


def test_a_wrong_key_is_an_auth_error(sandbox, settings):
    settings.SANDBOX_KLENTY_KEY = "not-the-key"
    with pytest.raises(ApiAuthError) as caught:
        KlentyClient.from_settings().get_lists()
    assert caught.value.status_code == 401
    assert "Connections page" in str(caught.value)
    assert "not-the-key" not in str(caught.value)
    assert "not-the-key" not in ApiCall.objects.get().error


def test_someone_outside_the_team_is_refused(klenty):
    with pytest.raises(ApiAuthError) as caught:
        klenty.as_user("stranger@elsewhere.example").get_lists()
    assert caught.value.status_code == 403
    assert str(caught.value) == (
        "Klenty refused access: stranger@elsewhere.example is not a member of this team. "
        "Check the key and the team members on the Connections page."
    )


def test_an_unknown_prospect_is_not_found(klenty):
    with pytest.raises(ApiNotFound) as caught:
        klenty.get_prospect("nobody@nowhere.example")
    assert caught.value.code == "K2003"
    assert caught.value.status_code == 404


def test_a_503_is_retried_and_then_succeeds(klenty, sandbox):
    sandbox.fail_next(status=503, count=2, path_contains="/lists")
    assert klenty.get_lists()
    call = ApiCall.objects.get()
    assert (call.attempts, call.status_code, call.sandbox, call.error) == (3, 200, True, "")


def test_a_persistent_503_is_surfaced_after_the_last_attempt(klenty, sandbox, settings):
    settings.API_MAX_ATTEMPTS = 3
    since = sandbox.last_seq()
    sandbox.fail_next(status=503, count=10, path_contains="/lists")
    with pytest.raises(ApiUnavailable):
        klenty.get_lists()
    assert len(requests_to(sandbox, since, "/lists")) == 3
    assert ApiCall.objects.get().attempts == 3


def test_a_429_with_retry_after_is_waited_out(klenty, sandbox):
    sandbox.fail_next(status=429, retry_after=1, path_contains="/cadences")
    started = time.monotonic()
    assert klenty.get_company_cadences()
    assert time.monotonic() - started >= 1.0
    assert ApiCall.objects.get().attempts == 2


def test_a_vendor_limit_too_long_to_wait_out_is_surfaced_with_its_retry_after(klenty, sandbox):
    sandbox.configure(rate_limit_per_min=2)
    klenty.get_lists()
    klenty.get_lists()
    started = time.monotonic()
    with pytest.raises(ApiRateLimited) as caught:
        klenty.get_lists()
    assert time.monotonic() - started < 1.0  # not held for the best part of a minute
    assert caught.value.retry_after > 2


def test_our_limiter_keeps_us_under_the_vendors_limit(klenty, sandbox, settings):
    sandbox.configure(rate_limit_per_min=120)
    settings.KLENTY_RATE_LIMIT_PER_MIN = 120
    client = KlentyClient.from_settings()
    since = sandbox.last_seq()
    for _ in range(12):
        client.get_lists()
    assert {r["status"] for r in sandbox.requests(since)} == {200}


def test_a_get_that_timed_out_is_retried(klenty, sandbox, settings):
    settings.API_READ_TIMEOUT = 0.5
    sandbox.fail_next(status="timeout", path_contains="/lists")
    assert klenty.get_lists()
    assert ApiCall.objects.get().attempts == 2


def test_a_post_that_timed_out_is_not_sent_again(klenty, sandbox, settings):
    settings.API_READ_TIMEOUT = 0.5
    email = one(sandbox, status="Not Contacted")["email"]
    since = sandbox.last_seq()
    sandbox.fail_next(status="timeout", path_contains="/startcadence")
    with pytest.raises(ApiUnavailable) as caught:
        klenty.start_cadence(email, CADENCE)
    assert "check whether it was made" in str(caught.value)
    assert len(requests_to(sandbox, since, "/startcadence")) == 1
    assert AuditEntry.objects.get().ok is False


def test_a_dropped_connection_is_retried_for_a_read(klenty, sandbox):
    sandbox.fail_next(status="drop", path_contains="/webhook/getall")
    assert klenty.get_webhooks() == []
    assert ApiCall.objects.get().attempts == 2


def test_every_call_is_recorded_without_the_key(klenty, sandbox):
    klenty.get_lists()
    klenty.add_webhook("reply", "https://hooks.acme.example/x")
    with pytest.raises(ApiNotFound):
        klenty.get_prospect("nobody@nowhere.example")
    rows = list(ApiCall.objects.values_list("endpoint", "method", "sandbox"))
    assert rows == [
        ("get_lists", "GET", True),
        ("add_webhook", "POST", True),
        ("get_prospect", "GET", True),
    ]
    everything = " ".join(
        [str(list(ApiCall.objects.values())), str(list(AuditEntry.objects.values()))]
    )
    assert sandbox.key not in everything
