"""Home's cockpit numbers against hand-counted seeded data: today, this week and this
month, each against the period before, the team's and a Rep's own."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadences.models import Cadence
from reporting import cockpit
from reporting.models import Call, EngagementDay
from reporting.rollups import rebuild_call_days

PRIYA = "priya.natarajan@northwind.example"
DIEGO = "diego.alvarez@northwind.example"
NOW = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)  # a Wednesday
# Week so far: Mon 7 – Wed 9 Dec, against Mon 30 Nov – Wed 2 Dec.
# Month so far: 1–9 Dec, against 1–9 Nov. Today: 9 Dec, against all of 8 Dec.


def engagement(cadence: str, day: date, **metrics) -> None:
    EngagementDay.objects.create(cadence_name=cadence, day=day, **metrics)


def call(n: int, member: str, day: date, disposition: str, outcome: str = "") -> None:
    Call.objects.create(
        call_sid=f"CS{member[:3]}{day:%m%d}{n}",
        username=member,
        called_on=day,
        disposition=disposition,
        outcome=outcome,
        duration_seconds=60,
    )


@pytest.fixture
def clock(time_machine):
    # Before any session is made, so the signed-in clients' sessions are not expired.
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def seeded(clock, db):
    Cadence.objects.create(klenty_id="c1", name="Alpha", owners=[PRIYA])
    Cadence.objects.create(klenty_id="c2", name="Beta", owners=[DIEGO])
    engagement("Alpha", date(2026, 12, 9), replies=2, positive=1, prospects_added=10)
    engagement("Alpha", date(2026, 12, 8), replies=3, bounces=1)
    engagement("Alpha", date(2026, 12, 1), replies=5)
    engagement("Alpha", date(2026, 11, 5), replies=7)
    engagement("Alpha", date(2026, 11, 20), replies=100)  # in the sparkline only
    engagement("Beta", date(2026, 12, 9), replies=10, positive=4, prospects_added=20)
    days = set()
    for n, (member, day, disposition, outcome) in enumerate(
        [
            (PRIYA, date(2026, 12, 9), "CONNECTED", "Meeting Booked"),
            (PRIYA, date(2026, 12, 9), "CONNECTED", "Interested"),
            (PRIYA, date(2026, 12, 8), "NOT_ANSWERED", ""),
            (PRIYA, date(2026, 11, 2), "MEETING_BOOKED", "Meeting Booked"),
            *[(DIEGO, date(2026, 12, 9), "MEETING_BOOKED", "Meeting Booked")] * 4,
        ]
    ):
        call(n, member, day, disposition, outcome)
        days.add(day)
    rebuild_call_days(days)


def figures(result: cockpit.Cockpit, key: str) -> list[tuple[int, int]]:
    row = next(r for r in result.rows if r.key == key)
    return [(c.now, c.before) for c in row.changes]


def test_the_team_numbers_for_today_week_and_month_against_the_period_before(seeded, manager_user):
    result = cockpit.cockpit(manager_user)

    assert [(p.start, p.end) for _, p, _, _ in result.periods] == [
        (date(2026, 12, 9), date(2026, 12, 9)),
        (date(2026, 12, 7), date(2026, 12, 9)),
        (date(2026, 12, 1), date(2026, 12, 9)),
    ]
    assert [(p.start, p.end) for _, _, p, _ in result.periods] == [
        (date(2026, 12, 8), date(2026, 12, 8)),
        (date(2026, 11, 30), date(2026, 12, 2)),
        (date(2026, 11, 1), date(2026, 11, 9)),
    ]
    assert figures(result, "replies") == [(12, 3), (15, 5), (20, 7)]
    assert figures(result, "positive") == [(5, 0), (5, 0), (5, 0)]
    assert figures(result, "prospects_added") == [(30, 0), (30, 0), (30, 0)]
    assert figures(result, "bounces") == [(0, 1), (1, 0), (1, 0)]
    assert figures(result, "calls") == [(6, 1), (7, 0), (7, 1)]
    assert figures(result, "calls:MEETING_BOOKED") == [(4, 0), (4, 0), (4, 1)]
    assert figures(result, "calls:CONNECTED") == [(2, 0), (2, 0), (2, 0)]
    assert figures(result, "meetings") == [(5, 0), (5, 0), (5, 1)]


def test_a_reps_numbers_are_their_cadences_engagement_and_their_own_calls(seeded, rep_user):
    result = cockpit.cockpit(rep_user)

    assert result.own
    assert figures(result, "replies") == [(2, 3), (5, 5), (10, 7)]
    assert figures(result, "calls") == [(2, 1), (3, 0), (3, 1)]
    assert figures(result, "meetings") == [(1, 0), (1, 0), (1, 1)]
    assert not any(r.key == "calls:MEETING_BOOKED" and r.changes[0].now for r in result.rows)


def test_the_meeting_outcome_is_a_setting(seeded, manager_user, settings):
    settings.COCKPIT_MEETING_OUTCOME = "Interested"

    assert figures(cockpit.cockpit(manager_user), "meetings") == [(1, 0), (1, 0), (1, 0)]


def test_the_sparkline_covers_30_days_ending_today(seeded, manager_user):
    row = next(r for r in cockpit.cockpit(manager_user).rows if r.key == "replies")

    values = row.spark.values
    assert len(values) == 30
    assert values[-1] == 12 and values[-2] == 3 and values[-9] == 5
    assert values[-20] == 100  # 20 Nov
    assert sum(values) == 120  # 5 Nov is older than 30 days


def test_a_change_reads_as_a_signed_number_and_percentage():
    assert cockpit.Change(15, 5).text == "+10 (+200%)"
    assert cockpit.Change(1, 4).text == "−3 (−75%)"
    assert cockpit.Change(4, 0).text == "+4 (none before)"
    assert cockpit.Change(2, 2).text == "no change"


def test_home_shows_the_team_numbers_and_says_today_is_partial(seeded, manager_client):
    body = manager_client.get(reverse("home")).content.decode()

    assert "The team's numbers" in body
    assert "is a partial day" in body
    assert 'data-testid="metric-replies"' in body
    assert "+9 (+300%)" in body  # replies today against yesterday
    assert "Emails sent" in body and "does not count emails sent" in body
    assert "<svg" in body and "<script>" not in body


def test_a_reps_home_says_the_numbers_are_their_own_and_shows_no_team_figure(seeded, rep_client):
    body = rep_client.get(reverse("home")).content.decode()

    assert "Your numbers" in body and "Your own numbers only" in body
    assert "+9 (+300%)" not in body  # the team's replies
    assert "−1 (−33%)" in body  # Priya's replies today (2) against yesterday (3)


def home_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["manager_client", "rep_client"])
def test_homes_queries_do_not_grow_with_the_history(seeded, request, who):
    client = request.getfixturevalue(who)
    few = home_queries(client)
    for n in range(40):
        engagement("Alpha", date(2026, 10, 1 + n % 28).replace(month=9 + n // 28), replies=1)
        engagement(f"Cadence {n}", date(2026, 12, 9), replies=1)
        call(100 + n, PRIYA, date(2026, 12, 1 + n % 9), "BUSY", f"Outcome {n}")
    rebuild_call_days({date(2026, 12, d) for d in range(1, 10)})

    assert home_queries(client) == few
