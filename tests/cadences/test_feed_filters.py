"""The activity feed's filters: event type, cadence, owner and dates, all in the URL;
bad values are named and not applied; a Rep's feed is their own prospects' events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.cadences.conftest import make_prospect
from tests.cadences.test_feed import FEED, MORGAN, PRIYA, event

DIEGO = "diego.alvarez@northwind.example"


def at(day: int) -> datetime:
    return datetime(2026, 11, day, 12, tzinfo=UTC)


def emails(response) -> list[str]:
    return sorted(e.email for e in response.context["events"])


def test_the_feed_filters_by_date_range(manager_client, db):
    event(email="early@x.example", received_at=at(1))
    event(email="middle@x.example", received_at=at(10))
    event(email="late@x.example", received_at=at(20))

    between = manager_client.get(FEED, {"date_from": "2026-11-05", "date_to": "2026-11-10"})
    since = manager_client.get(FEED, {"date_from": "2026-11-10"})

    assert emails(between) == ["middle@x.example"]
    assert emails(since) == ["late@x.example", "middle@x.example"]


def test_every_filter_combines_and_stays_in_the_poll_url(manager_client, db):
    event("reply", email="hit@x.example", cadence="Nurture", owner=MORGAN, received_at=at(10))
    event("open", email="type@x.example", cadence="Nurture", owner=MORGAN, received_at=at(10))
    event("reply", email="day@x.example", cadence="Nurture", owner=MORGAN, received_at=at(2))
    event("reply", email="who@x.example", cadence="Nurture", owner=PRIYA, received_at=at(10))
    query = {
        "type": "reply",
        "cadence": "Nurture",
        "owner": MORGAN,
        "date_from": "2026-11-09",
        "date_to": "2026-11-11",
    }

    response = manager_client.get(FEED, query)

    assert emails(response) == ["hit@x.example"]
    html = response.content.decode()
    assert "date_from=2026-11-09" in html and "date_to=2026-11-11" in html  # the poll keeps them
    assert 'hx-push-url="true"' in html  # a filter change is a URL to share
    assert 'value="2026-11-09"' in html  # and the form shows what is applied


@pytest.mark.parametrize(
    "bad, message",
    [
        ({"type": "onCoffee"}, "Choose an event from the list."),
        ({"owner": "not an email"}, "Choose an owner from the list."),
        ({"date_from": "yesterday"}, "Enter a valid date."),
        ({"date_from": "2026-11-20", "date_to": "2026-11-01"}, "The end date is before"),
        ({"cadence": "c" * 300}, "at most 255 characters"),
    ],
)
def test_a_bad_filter_is_named_and_not_applied(manager_client, db, bad, message):
    event("reply", email="kept@x.example", cadence="Nurture")
    event("reply", email="other@x.example", cadence="New Leads")

    response = manager_client.get(FEED, {"cadence": "Nurture", **bad})
    fragment = manager_client.get(FEED, {"cadence": "Nurture", **bad}, HTTP_HX_REQUEST="true")

    assert response.status_code == fragment.status_code == 200
    assert message in response.content.decode() and message in fragment.content.decode()
    if "cadence" not in bad:
        assert emails(response) == ["kept@x.example"]  # the good filter still holds


def test_a_reps_feed_shows_only_their_own_prospects_events(rep_client, db):
    event(email="mine@x.example", owner=PRIYA, prospect=make_prospect("mine@x.example", PRIYA))
    event(
        email="now-mine@x.example", owner=DIEGO, prospect=make_prospect("now-mine@x.example", PRIYA)
    )
    event(email="theirs@x.example", owner=DIEGO)
    event(email="was-mine@x.example", owner=MORGAN, prospect=make_prospect("w@x.example", MORGAN))

    assert emails(rep_client.get(FEED)) == ["mine@x.example", "now-mine@x.example"]


def test_a_rep_cannot_widen_their_feed_with_an_owner_filter(rep_client, db):
    event(email="mine@x.example", owner=PRIYA)
    event(email="theirs@x.example", owner=DIEGO)

    response = rep_client.get(FEED, {"owner": DIEGO})

    assert emails(response) == ["mine@x.example"]
    assert 'name="owner"' not in response.content.decode()


def test_the_filters_cost_no_more_queries(manager_client, db, django_assert_max_num_queries):
    for day in range(1, 30):
        event(email=f"p{day}@x.example", received_at=at(day))

    with django_assert_max_num_queries(10):
        manager_client.get(FEED, {"date_from": "2026-11-02", "type": "open", "owner": PRIYA})


def test_event_times_at_the_edges_of_the_range_are_included(manager_client, db):
    event(email="first-second@x.example", received_at=at(5).replace(hour=0, minute=0))
    event(email="last-second@x.example", received_at=at(5) + timedelta(hours=11, minutes=59))

    response = manager_client.get(FEED, {"date_from": "2026-11-05", "date_to": "2026-11-05"})

    assert emails(response) == ["first-second@x.example", "last-second@x.example"]
