"""Properties of both webhook receivers: whatever arrives, the answer is never a
5xx, and a delivery is stored exactly when the answer says so; anything refused
leaves every table as it was."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cadences.models import Event, WebhookSubscription
from enrichment.models import SnovEvent, SnovWebhook
from tests.badinput.harness import row_counts
from tests.cadences.malformed_bodies import JSON, valid

KLENTY_URL = "/hooks/klenty/token-one/"
SNOV_URL = "/enrichment/hooks/snov-token-one/"


def json_like(floats, texts):
    return st.recursive(
        st.none() | st.booleans() | st.integers() | floats | texts,
        lambda children: (
            st.lists(children, max_size=4) | st.dictionaries(texts, children, max_size=4)
        ),
        max_leaves=12,
    )


json_values = json_like(st.floats(allow_nan=True, allow_infinity=True), st.text())
plain_text = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)
# What a JSON encoder writes back the same: no NaN, no lone surrogates.
storable_values = json_like(st.floats(allow_nan=False, allow_infinity=False), plain_text)
field_names = st.sampled_from(
    ["event", "email", "fullName", "cadenceName", "prospectOwner", "list", "tags", "timestamp"]
)


def exact_json(text: str | bytes):
    """JSON with its numbers as exact decimals. PostgreSQL's jsonb keeps a number's
    value, not its spelling: 6.272357633447193e+16 comes back as 62723576334471930."""
    return json.loads(text, parse_float=Decimal, parse_int=Decimal)


def encode(value) -> bytes:
    return json.dumps(value).encode("utf-8", "surrogatepass")


text_fields = st.sampled_from(["fullName", "cadenceName", "list", "tags", "email"])
bodies = st.one_of(
    st.binary(max_size=1024),
    st.text(max_size=256).map(lambda t: t.encode("utf-8", "surrogatepass")),
    json_values.map(encode),
    st.dictionaries(field_names, json_values, max_size=4).map(lambda c: encode({**valid(), **c})),
    # Mostly well-formed deliveries with odd text, so the stored branch is reached too.
    st.dictionaries(text_fields, st.text(max_size=30), max_size=3).map(
        lambda c: encode({**valid(), **c})
    ),
)
content_types = st.sampled_from(
    [
        JSON,
        JSON,
        "application/json; charset=utf-8",
        "text/plain",
        "application/json; charset=latin-1",
    ]
)
relaxed = settings(
    max_examples=120,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
def hooks(db):
    WebhookSubscription.objects.create(
        klenty_id="hook-1", event="open", url="http://testserver" + KLENTY_URL, token="token-one"
    )
    SnovWebhook.objects.create(
        event_object="campaign_email", event_action="opened", token="snov-token-one"
    )


def is_email(value) -> bool:
    try:
        validate_email(value)
    except ValidationError:
        return False
    return True


def as_object(body: bytes):
    try:
        value = json.loads(body.decode("utf-8"))
    except (ValueError, RecursionError):
        return None
    return value if isinstance(value, dict) else None


@relaxed
@given(body=bodies, content_type=content_types)
def test_klenty_stores_a_delivery_exactly_when_it_says_so(client, hooks, body, content_type):
    before = row_counts()

    response = client.generic("POST", KLENTY_URL, body, content_type=content_type)

    assert response.status_code < 500
    after = row_counts()
    event(f"answered {response.status_code}")
    if response.status_code == 200 and response.json()["status"] == "stored":
        assert after == {**before, "cadences.Event": before["cadences.Event"] + 1}
        stored = Event.objects.latest("pk")
        delivery = as_object(body)
        # Only a JSON object with a valid address gets in, and it is kept as it came.
        assert delivery is not None and isinstance(delivery.get("email"), str)
        assert (
            is_email(delivery["email"].strip())
            and stored.email == delivery["email"].strip().lower()
        )
        assert stored.raw_body == body.decode("utf-8")
        Event.objects.filter(pk=stored.pk).delete()
    else:
        assert 400 <= response.status_code < 500 or response.json()["status"] == "duplicate"
        assert after == before


@relaxed
@given(body=bodies)
def test_snov_stores_a_delivery_exactly_when_it_says_so(client, hooks, body):
    before = row_counts()

    response = client.generic("POST", SNOV_URL, body, content_type=JSON)

    assert response.status_code < 500
    after = row_counts()
    event(f"answered {response.status_code}")
    if response.status_code == 200:
        assert after == {**before, "enrichment.SnovEvent": before["enrichment.SnovEvent"] + 1}
        stored = SnovEvent.objects.latest("pk")
        assert as_object(body) is not None
        assert exact_json(json.dumps(stored.payload)) == exact_json(body)
        stored.delete()
    else:
        assert 400 <= response.status_code < 500
        assert after == before


# -- a replay is one event however it is spelled (issue 14, finding 6) ---------------

moments = st.sampled_from([None, "2026-11-22T10:00:00.000Z", "2026-11-22T10:00:00.123+00:00"])
# How a resend may be spelled: indentation, separators, key order, trailing whitespace.
spellings = st.fixed_dictionaries(
    {
        "indent": st.sampled_from([None, 0, 2, "\t"]),
        "separators": st.sampled_from([(",", ":"), (", ", ": "), (" ,", " : ")]),
        "sort_keys": st.booleans(),
        "reverse": st.booleans(),
        "ensure_ascii": st.booleans(),
        "trailing": st.sampled_from(["", "\n", " \r\n\t"]),
    }
)


def spelled(value: dict, spelling: dict) -> bytes:
    if spelling["reverse"]:
        value = dict(reversed(value.items()))
    text = json.dumps(
        value,
        indent=spelling["indent"],
        separators=spelling["separators"],
        sort_keys=spelling["sort_keys"],
        ensure_ascii=spelling["ensure_ascii"],
    )
    return (text + spelling["trailing"]).encode()


def assert_one_event_for_all(answers, before, table: str) -> None:
    """The first spelling is stored (or refused) and every resend is a 200 replay."""
    after = row_counts()
    first = answers[0]
    event(f"first answered {first.status_code}")
    if first.status_code == 200 and first.json()["status"] == "stored":
        assert [a.status_code for a in answers[1:]] == [200] * (len(answers) - 1)
        assert {a.json()["status"] for a in answers[1:]} == {"duplicate"}
        assert after == {**before, table: before[table] + 1}
    else:
        assert {a.status_code for a in answers} == {first.status_code}
        assert after == before


@relaxed
@given(
    changes=st.dictionaries(text_fields, plain_text, max_size=3),
    moment=moments,
    resends=st.lists(spellings, min_size=1, max_size=3),
    to_another_open_hook=st.booleans(),
)
def test_klenty_stores_one_event_however_often_and_however_spelled(
    client, hooks, changes, moment, resends, to_another_open_hook
):
    WebhookSubscription.objects.get_or_create(
        token="token-two",
        defaults={"event": "open", "url": "http://testserver/hooks/klenty/token-two/"},
    )
    body = {**valid(timestamp=moment), **changes}
    before = row_counts()

    answers = [client.generic("POST", KLENTY_URL, encode(body), content_type=JSON)]
    other = "/hooks/klenty/token-two/" if to_another_open_hook else KLENTY_URL
    answers += [client.generic("POST", other, spelled(body, s), content_type=JSON) for s in resends]

    assert_one_event_for_all(answers, before, "cadences.Event")
    Event.objects.all().delete()


@relaxed
@given(
    email=plain_text,
    moment=st.sampled_from([None, "2026-12-03 12:00:00", 1764763200]),
    extra=st.dictionaries(plain_text, storable_values, max_size=3),
    resends=st.lists(spellings, min_size=1, max_size=3),
)
def test_snov_stores_one_event_however_often_and_however_spelled(
    client, hooks, email, moment, extra, resends
):
    payload = {
        **extra,
        "event": "campaign_email.opened",
        "event_datetime": moment,
        "data": {"campaign": {"id": 7}, "recipient": {"email": email}},
    }
    before = row_counts()

    answers = [client.generic("POST", SNOV_URL, encode(payload), content_type=JSON)]
    answers += [
        client.generic("POST", SNOV_URL, spelled(payload, s), content_type=JSON) for s in resends
    ]

    assert_one_event_for_all(answers, before, "enrichment.SnovEvent")
    SnovEvent.objects.all().delete()
