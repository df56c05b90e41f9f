from __future__ import annotations

import json

import pytest

from cadences.models import Event, WebhookSubscription
from tests.cadences.conftest import make_prospect

URL = "/hooks/klenty/token-one/"


def delivery(**overrides) -> dict:
    body = {
        "event": "open",
        "email": "ada@lovelace.example",
        "firstName": "Ada",
        "lastName": "Lovelace",
        "fullName": "Ada Lovelace",
        "company": "Analytical",
        "cadenceName": "New Leads",
        "cadenceOwner": "morgan.hale@northwind.example",
        "prospectOwner": "priya.natarajan@northwind.example",
        "list": "Webinar",
        "tags": "paid,new",
        "timestamp": "2026-11-22T10:00:00.000Z",
    }
    body.update(overrides)
    return body


def post(client, body, url=URL, content_type="application/json"):
    data = body if isinstance(body, bytes | str) else json.dumps(body)
    return client.post(url, data=data, content_type=content_type)


def hook_url(event: str, token: str = "") -> str:
    """The receiver URL of a subscription to `event` (made if need be)."""
    token = token or f"token-{event.lower()}"
    WebhookSubscription.objects.get_or_create(
        token=token, defaults={"event": event, "url": f"http://testserver/hooks/klenty/{token}/"}
    )
    return f"/hooks/klenty/{token}/"


def post_event(client, event: str, **overrides):
    """A delivery of `event` to a subscription to it, as Klenty sends one."""
    return post(client, delivery(event=event, **overrides), url=hook_url(event))


def test_a_valid_event_is_stored_with_what_it_says(client, subscription):
    response = post(client, delivery())

    assert response.status_code == 200
    assert response.json()["status"] == "stored"
    event = Event.objects.get()
    assert event.event_type == "open"
    assert event.email == "ada@lovelace.example"
    assert event.full_name == "Ada Lovelace"
    assert event.cadence_name == "New Leads"
    assert event.prospect_owner == "priya.natarajan@northwind.example"
    assert event.tags == ["paid", "new"]
    assert event.occurred_at.isoformat() == "2026-11-22T10:00:00+00:00"
    assert json.loads(event.raw_body)["company"] == "Analytical"
    assert event.subscription == subscription


def test_the_receiver_needs_no_session_and_no_csrf_token(subscription):
    from django.test import Client

    response = post(Client(enforce_csrf_checks=True), delivery())

    assert response.status_code == 200


def test_an_exact_duplicate_is_ignored(client, subscription):
    body = json.dumps(delivery())

    first = post(client, body)
    second = post(client, body)

    assert first.json()["status"] == "stored"
    assert second.status_code == 200
    assert second.json()["status"] == "duplicate"
    assert Event.objects.count() == 1


def test_the_same_event_told_differently_is_a_new_event(client, subscription):
    post(client, delivery())
    post(client, delivery(timestamp="2026-11-22T10:00:01.000Z"))

    assert Event.objects.count() == 2


def test_an_unknown_token_is_404_and_nothing_is_stored(client, subscription):
    response = post(client, delivery(), url="/hooks/klenty/not-a-token/")

    assert response.status_code == 404
    assert not Event.objects.exists()


def test_get_is_not_allowed(client, subscription):
    assert client.get(URL).status_code == 405


def test_the_subscriptions_event_stands_in_when_the_body_names_none(client, subscription):
    body = delivery()
    del body["event"]

    post(client, body)

    assert Event.objects.get().event_type == "open"


def test_event_names_are_read_in_any_case(client, subscription):
    post(client, delivery(event="onmailbounce"), url=hook_url("onMailBounce"))

    assert Event.objects.get().event_type == "onMailBounce"


@pytest.mark.parametrize(
    ("event", "prospect_status", "cadence_status"),
    [
        ("unsubscribe", "Unsubscribed", "Stopped"),
        ("onMailBounce", "Bounced", "Stopped"),
        ("reply", "Replied", "Stopped"),
        ("startCadence", "In Cadence", "In Cadence"),
        ("completeCadence", "Completed", "Completed"),
    ],
)
def test_certain_events_update_the_cached_prospect(
    client, subscription, event, prospect_status, cadence_status
):
    prospect = make_prospect(
        "ada@lovelace.example", prospect_status="Not Contacted", cadence_status="Not In Cadence"
    )

    post_event(client, event)

    prospect.refresh_from_db()
    assert prospect.prospect_status == prospect_status
    assert prospect.cadence_status == cadence_status
    stored = Event.objects.get()
    assert stored.prospect == prospect
    assert prospect_status in stored.applied


def test_start_cadence_records_the_cadence_on_the_prospect(client, subscription):
    prospect = make_prospect("ada@lovelace.example", cadence_name="Old")

    post_event(client, "startCadence", cadenceName="New Leads")

    prospect.refresh_from_db()
    assert prospect.cadence_name == "New Leads"


def test_an_open_changes_nothing_in_the_cache(client, subscription):
    prospect = make_prospect("ada@lovelace.example", prospect_status="In Cadence")

    post(client, delivery(event="open"))

    prospect.refresh_from_db()
    assert prospect.prospect_status == "In Cadence"
    assert Event.objects.get().applied == ""


def test_a_duplicate_is_not_applied_twice(client, subscription):
    prospect = make_prospect("ada@lovelace.example")
    body = json.dumps(delivery(event="unsubscribe"))
    post(client, body, url=hook_url("unsubscribe"))
    prospect.prospect_status = "Not Contacted"
    prospect.save()

    post(client, body, url=hook_url("unsubscribe"))

    prospect.refresh_from_db()
    assert prospect.prospect_status == "Not Contacted"


def test_an_event_for_a_prospect_not_in_the_cache_is_stored_unlinked(client, subscription):
    post_event(client, "unsubscribe")

    event = Event.objects.get()
    assert event.prospect is None
    assert event.applied == ""


def test_the_answer_is_fast(client, subscription, django_assert_max_num_queries):
    make_prospect("ada@lovelace.example")
    url = hook_url("reply")
    with django_assert_max_num_queries(8):
        post(client, delivery(event="reply"), url=url)


def test_a_late_older_event_does_not_undo_a_newer_one(client, subscription):
    prospect = make_prospect("ada@lovelace.example")
    post_event(client, "reply", timestamp="2026-11-22T10:05:00Z")

    post_event(client, "startCadence", timestamp="2026-11-22T10:00:00Z")

    prospect.refresh_from_db()
    assert prospect.prospect_status == "Replied"
    assert Event.objects.filter(event_type="startCadence").get().applied == ""


# -- a token is good for its subscription's event only (issue 14, finding 1) ----------


def test_an_event_other_than_the_subscriptions_is_refused_and_stored_nowhere(client, db):
    prospect = make_prospect("ada@lovelace.example", prospect_status="In Cadence")
    click_hook = hook_url("click")

    response = post(client, delivery(event="unsubscribe"), url=click_hook)

    assert response.status_code == 409
    assert response.json()["error"] == "This address receives click events, not unsubscribe."
    assert not Event.objects.exists()
    prospect.refresh_from_db()
    assert prospect.prospect_status == "In Cadence"


def test_a_subscription_kept_in_klentys_lowercase_accepts_its_camel_case_event(client, db):
    # Add a Webhook answers "onmailbounce"; deliveries say "onMailBounce".
    url = hook_url("onmailbounce", token="token-bounce")

    response = post(client, delivery(event="onMailBounce"), url=url)

    assert response.json()["status"] == "stored"
    assert Event.objects.get().event_type == "onMailBounce"


# -- a replay is one event, however it is spelled (issue 14, finding 6) ----------------


def test_a_replay_spelled_differently_is_stored_once_and_answered_200(client, subscription):
    body = delivery()
    spellings = [
        json.dumps(body),
        json.dumps(body, indent=2),
        json.dumps(body, separators=(",", ":")),
        json.dumps(dict(reversed(body.items()))),
        json.dumps(body, sort_keys=True, indent="\t") + "\n",
    ]

    answers = [post(client, spelling) for spelling in spellings]

    assert [a.status_code for a in answers] == [200] * 5
    assert [a.json()["status"] for a in answers] == ["stored"] + ["duplicate"] * 4
    assert Event.objects.count() == 1


def test_the_same_event_at_two_subscriptions_to_its_type_is_stored_once(client, subscription):
    other_open_hook = hook_url("open", token="token-two")

    first = post(client, delivery())
    second = post(client, delivery(), url=other_open_hook)

    assert first.json()["status"] == "stored"
    assert second.status_code == 200 and second.json()["status"] == "duplicate"
    assert Event.objects.count() == 1


def test_the_same_moment_written_another_way_is_the_same_event(client, subscription):
    post(client, delivery(timestamp="2026-11-22T10:00:00.000Z"))
    post(client, delivery(timestamp="2026-11-22T10:00:00+00:00", email="ADA@lovelace.example"))

    assert Event.objects.count() == 1


def test_without_a_timestamp_only_the_same_delivery_is_a_replay(client, subscription):
    untimed = delivery(timestamp=None)

    post(client, untimed)
    post(client, json.dumps(untimed, indent=1))
    post(client, delivery(timestamp=None, cadenceName="Other cadence"))

    assert Event.objects.count() == 2
