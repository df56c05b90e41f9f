"""Every sample answer in the Klenty docs, read by the parse functions.

The samples in samples/ are copied verbatim from klenty-get-endpoints.txt and
klenty-post-endpoints.txt, except where the doc's sample is not valid JSON. Those
were fixed minimally, and only there:
- get_prospects_created_between.json: the closing "]" was missing.
- create_prospect_input.json, update_prospect_input.json: the `// For multiple
  tags` comment removed; update_prospect_input.json also lacked the comma after
  "Outcome": "Lost".
- bulk_add_prospects_input.json: two missing commas (after the first item's
  CustomFields and the second item's Country).
- bulk_add_prospects_response.json: trailing commas after each "status" removed.
- stepwise_engagements_response.json: the doc lists the step objects one after
  another; they are wrapped in the enclosing array.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from klentyadmin.integrations.klenty import (
    PAYLOAD_KEYS,
    ProspectFields,
    normalise_event,
    parse_bulk_results,
    parse_cadence,
    parse_call_page,
    parse_custom_fields,
    parse_date,
    parse_email_engagement,
    parse_list,
    parse_prospect,
    parse_prospect_status,
    parse_step_engagements,
    parse_tags,
    parse_timestamp,
    parse_webhook,
    parse_webhooks,
)

SAMPLES = Path(__file__).parent / "samples"


def sample(name: str):
    return json.loads((SAMPLES / f"{name}.json").read_text())


def test_every_sample_file_is_valid_json():
    names = sorted(p.stem for p in SAMPLES.glob("*.json"))
    assert len(names) == 50
    for name in names:
        sample(name)


# -- GET answers ------------------------------------------------------------


def test_prospect_by_email_is_read_with_list_name_and_owner():
    p = parse_prospect(sample("get_prospect_by_email"))
    assert p.id == "5ea6ff1820a3000012b795f4"
    assert p.email == "rex@klenty.com"
    assert (p.first_name, p.middle_name, p.last_name) == ("Rex", "A", "Jose")
    assert p.full_name == "Rex A Jose"
    assert p.linkedin_url == "https://www.linkedin.com/company/klenty-com"
    assert p.twitter_id == "https://twitter.com/klentyhq"
    assert p.company_phone == "+13958059876"
    assert p.tags == ["paid"]
    assert p.list_name == "leads"
    assert p.list_id == ""
    assert p.owner == "q1@test.com"
    assert p.custom_fields == {}


def test_prospect_status_by_email_and_by_id_read_alike():
    for name in ("get_prospect_status", "get_prospect_status_by_id"):
        status = parse_prospect_status(sample(name))
        assert status.cadence_status == "In Cadence"
        assert status.prospect_status == "In Cadence"


@pytest.mark.parametrize("name", ["get_prospects_created_between", "get_prospects_updated_since"])
def test_tags_written_as_comma_separated_text_become_a_list(name):
    prospects = [parse_prospect(raw) for raw in sample(name)]
    assert [p.email for p in prospects] == ["john@klenty.com", "jordan@klenty.com"]
    assert prospects[0].tags == ["paid", "new", "sales"]
    assert prospects[1].list_name == "leads"
    assert prospects[0].id == ""  # the doc's sample has no id here


def test_custom_fields_under_a_key_with_a_space_become_a_dict():
    (raw,) = sample("get_prospect_with_custom_fields")
    assert "Custom Fields" in raw
    p = parse_prospect(raw)
    assert p.custom_fields == {"gender": "male"}
    assert p.location == "Tamilnadu"


def test_lists_are_read():
    lists = [parse_list(raw) for raw in sample("get_lists")]
    assert [ls.name for ls in lists] == ["America", "Leads", "New Signups", "India"]
    assert lists[0].id == "5e9d40b565b8860012667f80"


def test_in_the_by_list_answer_list_is_an_id_and_list_name_the_name():
    prospects = [parse_prospect(raw) for raw in sample("get_prospects_in_list")]
    assert len(prospects) == 3
    first = prospects[0]
    assert first.list_id == "5e81cd0b873bee0012e6f631"
    assert first.list_name == "Australia"
    assert first.tags == ["leads"]  # a JSON list here, not text
    assert first.owner == "roscoe@klenty.com"


@pytest.mark.parametrize(
    "name, names",
    [
        ("get_user_cadences", ["New Leads", "Nurture Cadence"]),
        ("get_company_cadences", ["website visitors", "outbound campaign"]),
    ],
)
def test_cadences_are_read(name, names):
    cadences = [parse_cadence(raw) for raw in sample(name)]
    assert [c.name for c in cadences] == names
    assert all(c.id for c in cadences)


def test_calls_are_read_with_aware_timestamps_and_lists():
    page = parse_call_page(sample("get_calls"), page=0)
    assert page.has_more is True
    assert page.page == 0
    first, second = page.calls
    assert first.start_time == datetime(2023, 10, 9, 20, 16, 2, tzinfo=UTC)
    assert first.end_time == datetime(2023, 10, 9, 20, 16, 10, tzinfo=UTC)
    assert first.created_at == datetime(2023, 10, 9, 20, 16, 1, 678000, tzinfo=UTC)
    assert first.created_at.tzinfo is not None
    assert first.duration_seconds == 8
    assert first.disposition == "NOT_ANSWERED"
    assert first.call_type == "OUTBOUND"
    assert first.tags == ["Stake Holder Movement"]
    assert first.comments == [] and first.notes == []
    assert first.list_name == "Stake Holder Movement"
    assert first.username == "sample.user@klenty.com"
    assert first.cadence_name == ""
    assert second.disposition == "VOICE_MAIL"
    assert second.tags == ["Connected Claims"]


def test_a_call_without_a_start_time_reads_as_none():
    raw = sample("get_calls")
    raw["data"]["callData"][0]["startTime"] = None
    page = parse_call_page(raw, page=0)
    assert page.calls[0].start_time is None


def test_webhooks_are_read_from_their_wrapper():
    hooks = parse_webhooks(sample("get_webhooks"))
    assert [(h.id, h.event) for h in hooks] == [
        ("5ea2c55cacd65a001239a2c6", "reply"),
        ("5ea2c5f1acd65a001239a2e1", "startCadence"),
    ]
    assert hooks[0].url == "https://webhook.site/5fa14dd0-3302-4734-bac6-74086afa898d"


# -- POST answers -----------------------------------------------------------


@pytest.mark.parametrize("name", sorted(p.stem for p in SAMPLES.glob("*_response.json")))
def test_write_answers_say_status_true(name):
    body = sample(name)
    if name in {"email_engagements_response", "stepwise_engagements_response"}:
        return  # reads, not writes
    if name == "add_webhook_response":
        assert body["_id"]
        return
    assert body["status"] is True


def test_bulk_add_results_say_which_prospects_were_added():
    results = parse_bulk_results(sample("bulk_add_prospects_response"))
    assert [(r.email, r.added) for r in results] == [
        ("raj@klenty.com", True),
        ("ram@klenty.com", False),
    ]
    assert results[1].status == "prospect already exists in Klenty"


def test_email_engagement_is_read():
    e = parse_email_engagement(sample("email_engagements_response"))
    assert e.prospects_added == 32
    assert e.in_cadence_count == 2
    assert e.bounce_count == 5
    assert (e.positive_count, e.negative_count) == (1, 1)


def test_stepwise_engagement_reads_klentys_misspelt_negative_fields():
    steps = parse_step_engagements(sample("stepwise_engagements_response"))
    assert [s.step_number for s in steps] == [1, 2]
    first = steps[0]
    assert first.step_type == "mail"
    assert first.mail_count == 8
    assert first.open_percent == 13
    assert first.negative_reply == 0
    assert first.completed == 0
    assert [o.option for o in first.options] == [1, 2]
    assert first.options[0].template_name == "Follow Ups"
    assert first.options[1].template_name == ""
    assert steps[1].options[0].subject == "Follow-up email"


def test_stepwise_fields_are_read_in_either_spelling_and_case():
    misspelt = {"negetiveReply": 3, "negetiveReplyPercent": 12.5, "linkPercent": 4, "completed": 2}
    documented = {
        "negativeReply": 3,
        "negativeReplyPercent": 12.5,
        "LinkPercent": 4,
        "Completed": 2,
    }
    a, b = parse_step_engagements([misspelt, documented])
    assert a == b
    assert (a.negative_reply, a.negative_reply_percent, a.link_percent, a.completed) == (
        3,
        12.5,
        4.0,
        2,
    )


def test_the_add_webhook_answer_has_its_event_lowercased_and_we_restore_it():
    hook = parse_webhook(sample("add_webhook_response"))
    assert sample("add_webhook_response")["event"] == "completecadence"
    assert hook.event == "completeCadence"
    assert hook.id == "5e9da4ff65b8860012669444"
    assert hook.url == "www.klenty.com/analytics"


# -- what we send matches the documented inputs -------------------------------


def fields_from_payload(payload: dict) -> ProspectFields:
    by_key = {v: k for k, v in PAYLOAD_KEYS.items()}
    kwargs = {by_key[k]: v for k, v in payload.items() if k in by_key}
    kwargs["tags"] = parse_tags(kwargs.get("tags"))
    kwargs["custom_fields"] = parse_custom_fields(kwargs.get("custom_fields"))
    return ProspectFields(**kwargs)


@pytest.mark.parametrize("name", ["create_prospect_input", "update_prospect_input"])
def test_prospect_fields_produce_the_documented_payload(name):
    documented = sample(name)
    assert fields_from_payload(documented).to_payload() == documented


def test_bulk_inputs_map_onto_prospect_fields_except_the_undocumented_company_url():
    for item in sample("bulk_add_prospects_input"):
        payload = fields_from_payload(item).to_payload()
        item.pop("CompanyURL")  # in the sample, not in the documented inputs
        assert payload == item


def test_payloads_join_tags_with_a_bar_and_leave_out_empty_fields():
    fields = ProspectFields(email="a@b.co", tags=["Tag1", " Tag2 "], custom_fields={"k": "v"})
    assert fields.to_payload() == {
        "Email": "a@b.co",
        "Tags": "Tag1|Tag2",
        "CustomFields": [{"key": "k", "value": "v"}],
    }


# -- the small normalisers ----------------------------------------------------


@pytest.mark.parametrize(
    "value, expected",
    [
        ("paid , new , sales", ["paid", "new", "sales"]),
        ("Tag1|Tag2", ["Tag1", "Tag2"]),
        ("Tag1,Tag2", ["Tag1", "Tag2"]),
        (["leads", " x "], ["leads", "x"]),
        ("", []),
        (None, []),
    ],
)
def test_tags_are_always_a_list(value, expected):
    assert parse_tags(value) == expected


@pytest.mark.parametrize(
    "value",
    [
        {"gender": "male"},
        [{"key": "gender", "value": "male"}],
        '[{"key": "gender", "value": "male"}]',
    ],
)
def test_custom_fields_are_always_a_dict(value):
    assert parse_custom_fields(value) == {"gender": "male"}


@pytest.mark.parametrize("key", ["Custom Fields", "CustomFields", "customFields"])
def test_custom_fields_are_found_under_any_spelling_of_the_key(key):
    p = parse_prospect({"Email": "a@b.co", key: [{"key": "k", "value": "v"}]})
    assert p.custom_fields == {"k": "v"}


@pytest.mark.parametrize("key", ["id", "Id", "_id"])
def test_the_id_is_found_under_any_spelling(key):
    assert parse_prospect({key: "abc"}).id == "abc"


def test_dates_in_both_documented_formats_are_read():
    assert parse_date("2023/01/01") == date(2023, 1, 1)
    assert parse_date("2023-9-20") == date(2023, 9, 20)
    assert parse_date("2023-10-10") == date(2023, 10, 10)
    assert parse_date("2020-04-01T06:30:51Z") == date(2020, 4, 1)
    assert parse_date("") is None
    assert parse_date("2023/02/30") is None


def test_timestamps_with_z_are_aware_utc():
    stamp = parse_timestamp("2020-04-01T06:30:51Z")
    assert stamp == datetime(2020, 4, 1, 6, 30, 51, tzinfo=UTC)
    assert parse_timestamp(None) is None
    assert parse_timestamp("not a date") is None


@pytest.mark.parametrize(
    "sent, canonical",
    [("completecadence", "completeCadence"), ("ONMAILBOUNCE", "onMailBounce"), ("open", "open")],
)
def test_webhook_events_are_normalised_to_camel_case(sent, canonical):
    assert normalise_event(sent) == canonical


def test_what_we_read_and_what_we_write_name_the_same_profile_fields():
    from dataclasses import fields

    from klentyadmin.integrations.klenty import Prospect

    read = {f.name for f in fields(Prospect)} - {"id", "list_id"}
    written = {f.name for f in fields(ProspectFields)} - {"outcome"}
    assert read == written
