"""What the Klenty client sends, checked without a network: paths, date formats,
payloads, local validation and which calls are audited. The behaviour against a
live (simulated) Klenty is in test_klenty_client.py."""

from __future__ import annotations

import json
import re
from datetime import date

import pytest
import responses

from klentyadmin.core.models import ApiCall, AuditEntry
from klentyadmin.integrations.errors import ApiNotFound, ApiValidationError
from klentyadmin.integrations.klenty import KlentyClient, ProspectFields, rate_limit_key
from klentyadmin.integrations.klenty.target import KlentyTarget

pytestmark = pytest.mark.django_db

KEY = "klenty-live-key-0123456789"
API = "https://api.klenty.test/apis/v1"
APP = "https://app.klenty.test/apis/v1"
USER = f"{API}/user/morgan%40team.test"
TARGET = KlentyTarget(
    api_key=KEY,
    api_base=API,
    app_base=APP,
    team_emails=("morgan@team.test", "priya@team.test"),
    sandbox=False,
    rate_limit_per_min=100_000,
    key_source="environment",
)
OK = {"status": True}


@pytest.fixture
def client():
    return KlentyClient(TARGET)


def sent_json(index: int = 0):
    return json.loads(responses.calls[index].request.body)


def sent_params(index: int = 0):
    return responses.calls[index].request.params


@responses.activate
def test_paths_are_scoped_to_the_url_encoded_default_team_member(client):
    responses.get(f"{USER}/lists", json=[])
    client.get_lists()
    assert responses.calls[0].request.url == f"{USER}/lists"
    assert responses.calls[0].request.headers["x-API-key"] == KEY


@responses.activate
def test_as_user_acts_as_another_team_member(client):
    responses.get(f"{API}/user/priya%40team.test/cadences", json=[])
    client.as_user("priya@team.test").get_company_cadences()
    assert len(responses.calls) == 1


def test_as_user_needs_an_email(client):
    with pytest.raises(ApiValidationError):
        client.as_user("priya")


def test_the_rate_limit_key_names_the_account_but_not_the_key():
    key = rate_limit_key(TARGET)
    assert KEY not in key
    assert key != rate_limit_key(TARGET.__class__(**{**TARGET.__dict__, "api_key": "other"}))


@responses.activate
def test_prospect_date_filters_are_sent_with_slashes(client):
    responses.get(f"{USER}/prospects", json=[])
    client.get_prospects_created_between(date(2023, 1, 1), date(2023, 6, 3))
    client.get_prospects_updated_since(date(2020, 1, 1))
    assert sent_params(0) == {"startDate": "2023/01/01", "endDate": "2023/06/03"}
    assert sent_params(1) == {"lastUpdatedDateStart": "2020/01/01"}


@responses.activate
def test_a_date_search_that_finds_nothing_is_an_empty_list(client):
    responses.get(
        f"{USER}/prospects",
        json={"status": False, "errors": [{"code": "K2003", "errorMessage": "No record"}]},
    )
    assert client.get_prospects_created_between(date(2023, 1, 1)) == []


def test_a_reversed_date_range_is_refused_before_any_call(client):
    with responses.RequestsMock():  # fails the test if anything is sent
        with pytest.raises(ApiValidationError):
            client.get_prospects_created_between(date(2023, 6, 3), date(2023, 1, 1))


@responses.activate
def test_prospect_lookups_send_the_email_as_a_parameter(client):
    responses.get(f"{USER}/prospects", json=[{"Email": "a@b.co", "Custom Fields": {"k": "v"}}])
    p = client.get_prospect_with_custom_fields("a@b.co")
    assert sent_params() == {"Email": "a@b.co", "customFields": "true"}
    assert p.custom_fields == {"k": "v"}


@responses.activate
def test_an_empty_answer_for_one_prospect_is_not_found(client):
    responses.get(f"{USER}/prospects", json=[])
    with pytest.raises(ApiNotFound):
        client.get_prospect("a@b.co")


@responses.activate
def test_status_paths_carry_the_encoded_email_or_the_id(client):
    responses.get(f"{USER}/prospects/a%40b.co/status", json={"cadenceStatus": "In Cadence"})
    responses.get(f"{USER}/prospects/589c7869/status", json={"prospectStatus": "Replied"})
    assert client.get_prospect_status("a@b.co").cadence_status == "In Cadence"
    assert client.get_prospect_status_by_id("589c7869").prospect_status == "Replied"


@responses.activate
def test_list_pages_are_followed_until_a_short_page(client):
    def page(n):
        return [
            {"id": f"{n}-{i}", "Email": f"p{n}{i}@b.co", "List": "L1", "listName": "Aus"}
            for i in range(2 if n < 3 else 1)
        ]

    for n in (1, 2, 3):
        responses.get(
            f"{USER}/prospects",
            json=page(n),
            match=[
                responses.matchers.query_param_matcher(
                    {"listName": "Aus", "start": str(n), "limit": "2"}
                )
            ],
        )
    prospects = list(client.iter_prospects_in_list("Aus", limit=2))
    assert len(prospects) == 5
    assert len(responses.calls) == 3
    assert prospects[0].list_id == "L1" and prospects[0].list_name == "Aus"


@responses.activate
def test_calls_go_to_the_app_host_with_dashed_dates_and_follow_has_more(client):
    url = f"{APP}/user/morgan%40team.test/calls"
    for n, more in ((0, True), (1, False)):
        responses.get(
            url,
            json={"status": True, "data": {"callData": [{"callSid": f"c{n}"}], "hasMore": more}},
            match=[
                responses.matchers.query_param_matcher(
                    {"startDate": "2023-09-20", "endDate": "2023-10-10", "page": str(n)}
                )
            ],
        )
    calls = list(client.iter_calls(date(2023, 9, 20), date(2023, 10, 10)))
    assert [c.call_sid for c in calls] == ["c0", "c1"]


@responses.activate
def test_an_empty_call_range_is_an_empty_page(client):
    responses.get(
        f"{APP}/user/morgan%40team.test/calls",
        json={"status": False, "errors": [{"code": "K2003", "errorMessage": "No record found"}]},
    )
    page = client.get_calls(date(2023, 9, 20), date(2023, 9, 21))
    assert page.calls == [] and page.has_more is False


def test_a_same_day_call_range_is_refused_since_the_end_is_exclusive(client):
    with pytest.raises(ApiValidationError, match="end date"):
        client.get_calls(date(2023, 9, 20), date(2023, 9, 20))


# -- writes -------------------------------------------------------------------

WRITES = [
    (
        "create_prospect",
        (ProspectFields(email="a@b.co", first_name="A"),),
        "/prospects",
        {"Email": "a@b.co", "FirstName": "A"},
    ),
    (
        "update_prospect",
        ("a@b.co", ProspectFields(title="CTO", outcome="Won")),
        "/prospects/a%40b.co",
        {"Title": "CTO", "Outcome": "Won"},
    ),
    (
        "add_prospect_to_list",
        ("a@b.co", "A", "Nurture"),
        "/prospects",
        {"Email": "a@b.co", "FirstName": "A", "List": "Nurture"},
    ),
    (
        "add_prospect_with_tags",
        ("a@b.co", "A", ["t1", "t2"]),
        "/prospects",
        {"Email": "a@b.co", "FirstName": "A", "Tags": "t1|t2"},
    ),
    (
        "add_custom_field_values",
        ("a@b.co", "A", {"k": "v"}),
        "/prospects",
        {"Email": "a@b.co", "FirstName": "A", "CustomFields": [{"key": "k", "value": "v"}]},
    ),
    (
        "remove_tags",
        ("a@b.co", ["t1", "t2"]),
        "/prospects/a%40b.co/removeTags",
        {"tag": ["t1", "t2"]},
    ),
    ("unsubscribe", ("a@b.co",), "/prospects/a%40b.co/unsubscribe", {"Email": "a@b.co"}),
    (
        "mark_do_not_contact",
        ("a@b.co",),
        "/prospects/a%40b.co/changeStatusToDoNotContact",
        {"Email": "a@b.co"},
    ),
    (
        "revert_do_not_contact",
        ("a@b.co",),
        "/prospects/a%40b.co/revertStatusToDoNotContact",
        {"Email": "a@b.co"},
    ),
    ("start_cadence", ("a@b.co", "Q3"), "/startcadence", {"Email": "a@b.co", "cadenceName": "Q3"}),
    ("stop_cadence", ("a@b.co",), "/stopcadence", {"Email": "a@b.co"}),
    ("stop_cadence", ("a@b.co", "Q3"), "/stopcadence", {"Email": "a@b.co", "cadenceName": "Q3"}),
    ("resume_cadence", ("a@b.co",), "/cadences/resume", {"Email": "a@b.co"}),
    ("stop_mails", ("a@b.co",), "/prospects/a%40b.co/stop", {"Email": "a@b.co"}),
    (
        "update_webhook",
        ("w1", "unsubscribe", "https://x.test/h"),
        "/webhook/update",
        {"_id": "w1", "subscription_url": "https://x.test/h", "event": "unsubscribe"},
    ),
    ("delete_webhook", ("w1",), "/webhook/delete", {"webhookId": "w1"}),
]


@pytest.mark.parametrize("method, args, path, payload", WRITES)
@responses.activate
def test_every_write_sends_the_documented_payload_and_is_audited(
    client, actor, method, args, path, payload
):
    client.actor = actor
    responses.post(f"{USER}{path}", json=OK)
    assert getattr(client, method)(*args) is None
    assert sent_json() == payload
    entry = AuditEntry.objects.get()
    assert (entry.actor, entry.action, entry.ok) == (actor, method, True)
    assert entry.details["user"] == "morgan@team.test"
    assert ApiCall.objects.get().endpoint == method


@responses.activate
def test_add_webhook_sends_the_camel_case_event_and_reads_the_lowercased_answer(client):
    responses.post(
        f"{USER}/zapier/hooks",
        json={"_id": "w9", "url": "www.klenty.com/analytics", "event": "completecadence"},
    )
    hook = client.add_webhook("completeCadence", "www.klenty.com/analytics")
    assert sent_json() == {
        "subscription_url": "www.klenty.com/analytics",
        "event": "completeCadence",
    }
    assert (hook.id, hook.event) == ("w9", "completeCadence")
    assert AuditEntry.objects.get().action == "add_webhook"


@responses.activate
def test_bulk_add_sends_an_array_and_reads_each_result(client):
    responses.post(
        f"{USER}/prospects",
        json={
            "status": True,
            "details": [
                {"prospect": "a@b.co", "status": "prospect added successfully"},
                {"prospect": "c@d.co", "status": "prospect already exists in Klenty"},
            ],
        },
    )
    results = client.bulk_add_prospects(
        [ProspectFields(email="a@b.co"), ProspectFields(email="c@d.co")]
    )
    assert sent_json() == [{"Email": "a@b.co"}, {"Email": "c@d.co"}]
    assert [r.added for r in results] == [True, False]
    assert AuditEntry.objects.get().target == "2 prospects"


def test_more_than_100_prospects_in_a_bulk_add_is_refused_before_any_call(client):
    with responses.RequestsMock():
        with pytest.raises(ValueError):
            client.bulk_add_prospects([ProspectFields(email=f"p{i}@b.co") for i in range(101)])


@pytest.mark.parametrize("method", ["get_email_engagement", "get_stepwise_engagement"])
@responses.activate
def test_engagement_reads_send_dashed_dates_and_are_not_audited(client, method):
    responses.post(re.compile(f"{API}/user/.*Engagements"), json=[])
    getattr(client, method)("Website visitors", date(2020, 4, 1), date(2020, 4, 20))
    assert sent_json() == {
        "startDate": "2020-04-01",
        "endDate": "2020-04-20",
        "cadenceName": "Website visitors",
    }
    assert AuditEntry.objects.count() == 0
    assert ApiCall.objects.get().endpoint == method


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.get_prospect("not-an-email"),
        lambda c: c.start_cadence("a@b..co", "Q3"),
        lambda c: c.start_cadence("a@b.co", " "),
        lambda c: c.create_prospect(ProspectFields(first_name="No email")),
        lambda c: c.create_prospect(ProspectFields(email="a@b.co", owner="nobody")),
        lambda c: c.create_prospect(ProspectFields(email="a@b.co", tags=["a|b"])),
        lambda c: c.add_webhook("opened", "https://x.test/h"),
        lambda c: c.update_webhook("w1", "bounce", "https://x.test/h"),
        lambda c: c.add_webhook("reply", ""),
        lambda c: c.remove_tags("a@b.co", []),
        lambda c: c.get_prospects_in_list("Aus", limit=1001),
    ],
)
def test_what_the_docs_make_certain_is_checked_before_any_call(client, call):
    with responses.RequestsMock():
        with pytest.raises(ApiValidationError) as caught:
            call(client)
    assert str(caught.value).endswith(".")
    assert ApiCall.objects.count() == 0


def test_a_bad_webhook_event_names_the_accepted_ones(client):
    with pytest.raises(ApiValidationError, match="completeCadence"):
        client.add_webhook("opened", "https://x.test/h")
