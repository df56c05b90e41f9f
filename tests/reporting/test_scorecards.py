"""The scorecards: per-member figures against the period before and last year, goals
and their form, pacing math, who sees what, constant queries."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadences.models import Cadence
from reporting import scorecards
from reporting.models import EngagementDay, Goal
from reporting.periods import MONTH, QUARTER, WEEK, Period
from reporting.rollups import rebuild_call_days
from tests.reporting.test_cockpit import DIEGO, PRIYA, call, engagement

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)  # Thursday 10 December
DECEMBER = Period.containing(MONTH, date(2026, 12, 10))


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


@pytest.fixture
def seeded(clock, db):
    Cadence.objects.create(klenty_id="c1", name="Alpha", owners=[PRIYA])
    Cadence.objects.create(klenty_id="c2", name="Shared", owners=[PRIYA, DIEGO])
    engagement("Alpha", date(2026, 12, 3), replies=4, positive=2)
    engagement("Shared", date(2026, 12, 9), replies=6, positive=3)
    engagement("Alpha", date(2026, 11, 4), replies=1, positive=1)  # the same days of November
    engagement("Alpha", date(2026, 11, 20), replies=50)  # November, after the 10th
    engagement("Shared", date(2025, 12, 2), replies=9, positive=5)  # a year before
    rows = [
        (PRIYA, date(2026, 12, 1), "CONNECTED", "Meeting Booked"),
        (PRIYA, date(2026, 12, 2), "NOT_ANSWERED", ""),
        (PRIYA, date(2026, 12, 10), "MEETING_BOOKED", "Meeting Booked"),
        (DIEGO, date(2026, 12, 4), "VOICE_MAIL", ""),
        (DIEGO, date(2025, 12, 4), "CONNECTED", "Meeting Booked"),
        (PRIYA, date(2026, 11, 9), "CONNECTED", ""),
    ]
    for n, row in enumerate(rows):
        call(n, *row)
    rebuild_call_days({row[1] for row in rows})


def card_for(board, member):
    return next(c for c in board.cards if c.member == member)


def test_each_members_figures_against_the_month_before_and_last_year(seeded, manager_user):
    board = scorecards.board(manager_user, DECEMBER, date(2026, 12, 10))

    assert (board.now.start, board.now.end) == (date(2026, 12, 1), date(2026, 12, 10))
    assert (board.before.start, board.before.end) == (date(2026, 11, 1), date(2026, 11, 10))
    assert (board.year.start, board.year.end) == (date(2025, 12, 1), date(2025, 12, 10))
    priya, diego = card_for(board, PRIYA), card_for(board, DIEGO)
    # Priya owns Alpha and shares "Shared": both count in full for her.
    assert priya.figures["replies"] == {"now": 10, "before": 1, "year": 9}
    assert priya.figures["positive"] == {"now": 5, "before": 1, "year": 5}
    assert priya.figures["calls"] == {"now": 3, "before": 1, "year": 0}
    assert priya.figures["connected"] == {"now": 2, "before": 1, "year": 0}
    assert priya.figures["meetings"] == {"now": 2, "before": 0, "year": 0}
    assert diego.figures["replies"] == {"now": 6, "before": 0, "year": 9}
    assert diego.figures["calls"] == {"now": 1, "before": 0, "year": 1}
    assert diego.figures["meetings"] == {"now": 0, "before": 0, "year": 1}
    assert {c.member for c in board.cards} == {
        "morgan.hale@northwind.example",
        PRIYA,
        DIEGO,
        "sam.okafor@northwind.example",
    }
    assert board.cards[0].member == PRIYA  # the most meetings first


def test_a_rep_sees_only_their_own_scorecard(seeded, rep_client):
    body = rep_client.get(reverse("reporting:scorecards"), {"period": "month"}).content.decode()

    assert "Your scorecard" in body
    assert f'data-testid="scorecard-{PRIYA}"' in body
    assert DIEGO not in body and "sam.okafor" not in body
    assert 'data-testid="goal-form"' not in body


def test_the_page_says_how_each_figure_is_attributed(seeded, manager_client):
    body = manager_client.get(reverse("reporting:scorecards")).content.decode()

    assert "the calls the member made" in body
    assert "the email engagement of the cadences the member owns" in body
    assert "“Meeting Booked”" in body


def test_a_custom_period_is_compared_with_the_days_before_it(seeded, manager_user):
    period = Period("custom", date(2026, 12, 1), date(2026, 12, 5))
    board = scorecards.board(manager_user, period, date(2026, 12, 10))

    assert (board.before.start, board.before.end) == (date(2026, 11, 26), date(2026, 11, 30))
    assert card_for(board, PRIYA).figures["replies"]["now"] == 4
    assert not board.goals_apply


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"period": "custom", "start": "2026-12-05", "end": "2026-12-01"},
            "end",
            "before the start",
        ),
        ({"period": "custom", "start": "2025-01-01", "end": "2026-12-01"}, "end", "at most 366"),
        ({"period": "custom", "start": "0001-11-04", "end": "2026-12-01"}, "start", "between"),
        ({"period": "custom", "end": "2026-12-01"}, "start", "first day"),
        ({"period": "fortnight"}, "period", "valid choice"),
    ],
)
def test_a_bad_period_gets_a_field_error_and_this_week(
    seeded, manager_client, params, field, message
):
    response = manager_client.get(reverse("reporting:scorecards"), params)

    assert response.status_code == 200
    form = response.context["period_form"]
    assert message in " ".join(form.errors[field])
    assert response.context["board"].period == Period.containing(WEEK, date(2026, 12, 10))


# -- pacing ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("goal", "actual", "projected", "status"),
    [
        (31, 10, 31, "on track"),  # 10 in 10 days of 31: 31 projected
        (40, 10, 31, "behind"),  # 31 is 77.5% of 40
        (25, 10, 31, "ahead"),  # 31 is 124% of 25
        (34, 10, 31, "on track"),  # 91%: within 10%
        (0, 0, 0, "on track"),
    ],
)
def test_pacing_projects_linearly_to_the_end_of_the_period(goal, actual, projected, status):
    pace = scorecards.pace("calls", "Calls", goal, actual, DECEMBER, date(2026, 12, 10))

    assert (pace.projected, pace.status) == (projected, status)
    assert not pace.finished


def test_a_finished_periods_projection_is_what_it_ended_with():
    november = Period.containing(MONTH, date(2026, 11, 1))

    pace = scorecards.pace("meetings", "Meetings", 10, 12, november, date(2026, 12, 10))

    assert (pace.projected, pace.status, pace.finished) == (12, "ahead", True)


def test_a_period_not_begun_has_no_projection():
    q1 = Period.containing(QUARTER, date(2027, 2, 1))

    pace = scorecards.pace("calls", "Calls", 100, 0, q1, date(2026, 12, 10))

    assert (pace.projected, pace.status) == (None, "not started")


def test_a_goal_paces_the_members_card(seeded, manager_user):
    Goal.objects.create(
        member=PRIYA, period=MONTH, starts_on=date(2026, 12, 1), meetings=4, calls=3
    )

    board = scorecards.board(manager_user, DECEMBER, date(2026, 12, 10))

    paces = {p.figure: p for p in card_for(board, PRIYA).paces}
    assert set(paces) == {"meetings", "calls"}
    assert (paces["meetings"].actual, paces["meetings"].projected) == (2, 6)
    assert paces["meetings"].status == "ahead"
    assert (paces["calls"].projected, paces["calls"].status) == (9, "ahead")
    assert card_for(board, DIEGO).paces == []


# -- the goal form --------------------------------------------------------------------


def post_goal(client, **fields):
    data = {"member": PRIYA, "period": "month", "on": "2026-12-15", **fields}
    return client.post(reverse("reporting:set_goal"), data)


def test_a_manager_sets_goals_for_a_rep_and_month(seeded, manager_client, manager_user):
    response = post_goal(manager_client, meetings="8", positive="", calls="120")

    assert response.status_code == 302
    assert response["Location"] == reverse("reporting:scorecards") + "?period=month&on=2026-12-01"
    goal = Goal.objects.get()
    assert (goal.member, goal.period, goal.starts_on) == (PRIYA, "month", date(2026, 12, 1))
    assert (goal.meetings, goal.positive, goal.calls, goal.set_by) == (8, None, 120, manager_user)


def test_saving_again_replaces_the_goals(seeded, manager_client):
    post_goal(manager_client, meetings="8")
    post_goal(manager_client, meetings="5", calls="40", on="2026-12-01")

    goal = Goal.objects.get()
    assert (goal.meetings, goal.calls) == (5, 40)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"meetings": "-1"}, "meetings", "greater than or equal to 0"),
        ({"calls": "1000000"}, "calls", "more than 300 a day"),
        ({"positive": "2000"}, "positive", "more than 50 a day"),
        ({"meetings": "lots"}, "meetings", "whole number"),
        ({"meetings": "3", "member": "someone@else.example"}, "member", "valid choice"),
        ({"meetings": "3", "on": "2026-13-01"}, "on", "valid date"),
    ],
)
def test_bad_goals_get_field_errors_and_nothing_is_saved(
    seeded, manager_client, fields, field, message
):
    response = post_goal(manager_client, **fields)

    assert response.status_code == 200
    assert message in " ".join(response.context["goal_form"].errors[field])
    assert not Goal.objects.exists()


def test_a_goal_with_no_figure_is_refused(seeded, manager_client):
    response = post_goal(manager_client)

    assert "Set at least one goal" in response.content.decode()
    assert not Goal.objects.exists()


def test_a_rep_cannot_set_goals(seeded, rep_client):
    response = post_goal(rep_client, meetings="100")

    assert response.status_code == 403
    assert not Goal.objects.exists()


# -- queries --------------------------------------------------------------------------


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(reverse("reporting:scorecards"), {"period": "quarter"})
        assert response.status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["manager_client", "rep_client"])
def test_the_scorecards_queries_do_not_grow_with_the_history(seeded, request, who):
    client = request.getfixturevalue(who)
    few = page_queries(client)
    for n in range(30):
        Cadence.objects.create(klenty_id=f"x{n}", name=f"Extra {n}", owners=[PRIYA])
        EngagementDay.objects.create(cadence_name=f"Extra {n}", day=date(2026, 10, 5), replies=1)
        call(200 + n, DIEGO, date(2026, 10, 1 + n), "CONNECTED", "Meeting Booked")
    Goal.objects.create(member=PRIYA, period=QUARTER, starts_on=date(2026, 10, 1), calls=10)
    Goal.objects.create(member=DIEGO, period=QUARTER, starts_on=date(2026, 10, 1), calls=10)
    rebuild_call_days({date(2026, 10, 1 + n) for n in range(30)})

    assert page_queries(client) == few


def test_a_rep_sees_their_own_pacing_and_not_a_colleagues(seeded, rep_client):
    Goal.objects.create(member=PRIYA, period=MONTH, starts_on=date(2026, 12, 1), meetings=4)
    Goal.objects.create(member=DIEGO, period=MONTH, starts_on=date(2026, 12, 1), meetings=9)

    body = rep_client.get(reverse("reporting:scorecards"), {"period": "month"}).content.decode()

    assert f'data-testid="pace-{PRIYA}-meetings"' in body
    assert DIEGO not in body


def test_change_fills_the_form_with_the_members_goals(seeded, manager_client):
    Goal.objects.create(member=PRIYA, period=MONTH, starts_on=date(2026, 12, 1), meetings=4)
    url = reverse("reporting:scorecards")

    page = manager_client.get(url, {"period": "month", "on": "2026-12-01"}).content.decode()
    response = manager_client.get(url, {"period": "month", "on": "2026-12-01", "edit": PRIYA})

    assert f"edit={PRIYA.replace('@', '%40')}#goal-form" in page
    form = response.context["goal_form"]
    assert (form.initial["member"], form.initial["meetings"], form.initial["calls"]) == (
        PRIYA,
        4,
        None,
    )
