"""Reports → When people answer: opens and replies by weekday and hour in the viewer's
time zone, a Rep's own prospects only, one query however many events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from cadences.models import Event
from reporting import answer_times
from tests.reporting.conftest import TODAY

URL = reverse("reporting:answer_times")
PRIYA = "priya.natarajan@northwind.example"
DIEGO = "diego.alvarez@northwind.example"
MONDAY, TUESDAY, SATURDAY = 0, 1, 5
# TODAY (16 March 2026) is a Monday: 23:30 UTC is Tuesday 05:00 in Asia/Kolkata (+5:30).
LATE_MONDAY = datetime(TODAY.year, TODAY.month, TODAY.day, 23, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _now():
    with time_machine.travel(LATE_MONDAY + timedelta(hours=1), tick=False):
        yield


def event(kind: str, at: datetime | None, owner: str = PRIYA, received: datetime | None = None):
    Event.objects.create(
        raw_body="{}",
        event_type=kind,
        email=f"p{Event.objects.count()}@acme.example",
        prospect_owner=owner,
        occurred_at=at,
        received_at=received or at or LATE_MONDAY,
    )


def test_an_event_lands_on_the_hour_of_the_viewers_zone(manager_user, db):
    event("reply", LATE_MONDAY)

    utc = answer_times.answer_times(manager_user).grids["replies"]
    manager_user.time_zone = "Asia/Kolkata"
    kolkata = answer_times.answer_times(manager_user).grids["replies"]

    assert utc[MONDAY][23] == 1 and sum(map(sum, utc)) == 1
    assert kolkata[TUESDAY][5] == 1 and sum(map(sum, kolkata)) == 1


def test_opens_and_replies_are_counted_apart(manager_user, db):
    saturday_morning = datetime(2026, 3, 14, 9, 5, tzinfo=UTC)
    for _ in range(3):
        event("open", saturday_morning)
    event("reply", saturday_morning)
    event("click", saturday_morning)  # neither an open nor a reply

    grids = answer_times.answer_times(manager_user).grids

    assert grids["opens"][SATURDAY][9] == 3
    assert grids["replies"][SATURDAY][9] == 1
    assert sum(map(sum, grids["opens"])) + sum(map(sum, grids["replies"])) == 4


def test_an_event_without_klentys_time_counts_when_it_arrived(manager_user, db):
    event("open", None, received=datetime(2026, 3, 15, 14, 0, tzinfo=UTC))  # a Sunday

    assert answer_times.answer_times(manager_user).grids["opens"][6][14] == 1


def test_events_older_than_the_window_are_left_out(manager_user, db):
    event("open", LATE_MONDAY - timedelta(days=answer_times.WINDOW_DAYS + 1))

    assert sum(map(sum, answer_times.answer_times(manager_user).grids["opens"])) == 0


def test_a_rep_counts_only_their_own_prospects_events(rep_user, db):
    event("reply", LATE_MONDAY, owner=PRIYA)
    event("reply", LATE_MONDAY, owner=DIEGO)

    assert answer_times.answer_times(rep_user).grids["replies"][MONDAY][23] == 1


def test_the_page_names_the_zone_and_draws_both_heatmaps(manager_client, manager_user):
    manager_user.time_zone = "Asia/Kolkata"
    manager_user.save()
    event("open", LATE_MONDAY)
    event("reply", LATE_MONDAY)
    event("reply", LATE_MONDAY)

    page = manager_client.get(URL).content.decode()

    assert "Asia/Kolkata" in page
    assert 'data-figure="figure-answer_opens"' in page
    assert 'data-figure="figure-answer_replies"' in page
    assert "1 open and 2 replies" in page


def test_the_page_costs_the_same_queries_with_more_events(
    manager_client, db, django_assert_max_num_queries
):
    event("open", LATE_MONDAY)
    manager_client.get(URL)
    with django_assert_max_num_queries(4) as small:
        manager_client.get(URL)
    for n in range(300):
        event("open" if n % 2 else "reply", LATE_MONDAY - timedelta(hours=n))
    with django_assert_max_num_queries(len(small.captured_queries)):
        manager_client.get(URL)
