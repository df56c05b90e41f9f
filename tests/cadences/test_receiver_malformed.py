from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cadences.models import Event
from tests.cadences.malformed_bodies import CASES, JSON, valid

URL = "/hooks/klenty/token-one/"


def test_the_corpus_is_large_enough():
    assert len(CASES) >= 50
    assert len({name for name, _, _ in CASES}) == len(CASES)


@pytest.mark.parametrize(("name", "body", "content_type"), CASES, ids=[c[0] for c in CASES])
def test_a_malformed_delivery_is_refused_and_not_stored(
    client, subscription, name, body, content_type
):
    response = client.generic("POST", URL, body, content_type=content_type)

    assert 400 <= response.status_code < 500, response.content
    assert "error" in response.json()
    assert not Event.objects.exists()


def test_an_oversized_body_is_refused_by_its_declared_length(client, subscription):
    response = client.generic(
        "POST", URL, b"{}", content_type=JSON, CONTENT_LENGTH=str(10 * 1024 * 1024)
    )

    assert response.status_code == 413


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=12), children, max_size=4)
    ),
    max_leaves=12,
)
field_names = st.sampled_from(
    [
        "event",
        "email",
        "fullName",
        "cadenceName",
        "prospectOwner",
        "cadenceOwner",
        "list",
        "tags",
        "timestamp",
    ]
)


def mutated_delivery(changes: dict) -> bytes:
    return json.dumps({**valid(), **changes}).encode("utf-8", "surrogatepass")


bodies = st.one_of(
    st.binary(max_size=2048),
    st.text(max_size=512).map(lambda t: t.encode("utf-8", "surrogatepass")),
    json_values.map(lambda v: json.dumps(v).encode("utf-8", "surrogatepass")),
    st.dictionaries(field_names, json_values, max_size=4).map(mutated_delivery),
)
content_types = st.sampled_from(
    [JSON, "application/json; charset=utf-8", "text/plain", "", "application/json; charset=ascii"]
)


@settings(
    max_examples=300,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies, content_type=content_types)
def test_no_body_makes_the_receiver_fail(client, subscription, body, content_type):
    response = client.generic("POST", URL, body, content_type=content_type)

    assert response.status_code < 500
    if response.status_code >= 400:
        assert "error" in response.json()
