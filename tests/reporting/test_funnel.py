"""The outcome funnel: hand-computed counts and conversions per cadence and per rep,
"contacted" from the step-wise reports, meetings from call outcomes, a Rep's own view,
bad ranges, the CRM's lead statuses and constant queries."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cadences.models import Cadence
from contacts.models import Transfer, TransferItem
from prospects.models import Prospect
from reporting import funnel, scope
from reporting.funnel import EXCEEDS, NOT_KNOWN, conversion
from reporting.models import Call, EngagementDay, StepRow, StepSnapshot
from reporting.rollups import rebuild_call_days
from tests.reporting.test_cockpit import DIEGO, PRIYA, call

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)
DECEMBER = {"range": "custom", "start": "2026-12-01", "end": "2026-12-10"}


@pytest.fixture
def clock(time_machine):
    time_machine.move_to(NOW, tick=False)


def engagement(cadence, day, added, opens, replies, positive):
    EngagementDay.objects.create(
        cadence_name=cadence,
        day=day,
        prospects_added=added,
        opens=opens,
        replies=replies,
        positive=positive,
    )


def snapshot(cadence, taken_on, *steps):
    snap = StepSnapshot.objects.create(
        cadence_name=cadence, taken_on=taken_on, range_start=date(2026, 11, 10), range_end=taken_on
    )
    for number, step_type, mails in steps:
        StepRow.objects.create(snapshot=snap, step_number=number, step_type=step_type, mails=mails)


@pytest.fixture
def seeded(clock, db, settings):
    settings.KLENTY_TEAM_EMAILS = [PRIYA, DIEGO]
    settings.COCKPIT_MEETING_OUTCOME = "Meeting Booked"
    Cadence.objects.create(klenty_id="c1", name="Alpha", owners=[PRIYA])
    Cadence.objects.create(klenty_id="c2", name="Beta", owners=[DIEGO])
    Cadence.objects.create(klenty_id="c3", name="Shared", owners=[PRIYA, DIEGO])
    engagement("Alpha", date(2026, 12, 3), 10, 25, 4, 2)
    engagement("Alpha", date(2026, 12, 5), 10, 5, 2, 1)
    engagement("Alpha", date(2026, 11, 20), 100, 100, 100, 100)  # before the range
    engagement("Beta", date(2026, 12, 4), 8, 6, 3, 1)
    engagement("Shared", date(2026, 12, 6), 5, 4, 2, 2)
    # Alpha: the newest snapshot by the range's end counts, its first mail step.
    snapshot("Alpha", date(2026, 12, 1), (1, "email", 99))
    snapshot("Alpha", date(2026, 12, 9), (1, "email", 18), (2, "email", 12))
    snapshot("Alpha", date(2026, 12, 11), (1, "email", 500))  # after the range
    # Beta starts with a call step: its first mail step is step 2.
    snapshot("Beta", date(2026, 12, 8), (1, "call", 0), (2, "email", 7))
    # Shared has no step-wise report: its "contacted" is not known.
    calls = [
        (PRIYA, date(2026, 12, 2), "MEETING_BOOKED", "Meeting Booked", "Alpha"),
        (PRIYA, date(2026, 12, 7), "CONNECTED", "Meeting Booked", "Alpha"),
        (PRIYA, date(2026, 12, 3), "CONNECTED", "", "Alpha"),
        (PRIYA, date(2026, 11, 15), "CONNECTED", "Meeting Booked", "Alpha"),  # before
        (DIEGO, date(2026, 12, 4), "CONNECTED", "Meeting Booked", "Beta"),
        (DIEGO, date(2026, 12, 5), "CONNECTED", "Meeting Booked", ""),  # no cadence
    ]
    Call.objects.bulk_create(
        Call(
            call_sid=f"CA{n}",
            username=member,
            called_on=day,
            disposition=disposition,
            outcome=outcome,
            cadence_name=cadence,
            duration_seconds=60,
        )
        for n, (member, day, disposition, outcome, cadence) in enumerate(calls)
    )
    rebuild_call_days({c[1] for c in calls})


def result_for(user, params=DECEMBER):
    from django.http import QueryDict

    query = QueryDict(mutable=True)
    for key, value in params.items():
        query.setlist(key, value if isinstance(value, list) else [value])
    return funnel.funnel(scope.report_filters(user, query), user)


def counts(row):
    return [s.count for s in row.steps]


def conversions(row):
    return [s.conversion for s in row.steps]


def by_name(rows, name):
    return next(r for r in rows if r.name == name)


def test_conversion_is_never_a_rate_above_100_percent():
    assert conversion(30, 18) == EXCEEDS
    assert conversion(18, 20) == "90%"
    assert conversion(2, 3) == "67%"
    assert conversion(25, 40) == "63%"  # half up
    assert conversion(1, 8) == "13%"
    assert conversion(5, 5) == "100%"
    assert conversion(0, 0) == "–"
    assert conversion(None, 5) == NOT_KNOWN
    assert conversion(4, None) == NOT_KNOWN


def test_each_cadences_funnel_with_contacted_from_its_first_mail_step(seeded, manager_user):
    result = result_for(manager_user)

    alpha = by_name(result.cadences, "Alpha")
    assert counts(alpha) == [20, 18, 30, 6, 3, 2]
    assert conversions(alpha) == ["", "90%", EXCEEDS, "20%", "50%", "67%"]
    beta = by_name(result.cadences, "Beta")
    assert counts(beta) == [8, 7, 6, 3, 1, 1]
    assert conversions(beta) == ["", "88%", "86%", "50%", "33%", "100%"]
    shared = by_name(result.cadences, "Shared")
    assert counts(shared) == [5, None, 4, 2, 2, 0]
    assert conversions(shared) == ["", NOT_KNOWN, NOT_KNOWN, "50%", "100%", "0%"]
    assert [r.name for r in result.cadences] == ["Alpha", "Beta", "Shared"]
    assert result.window == (date(2026, 11, 10), date(2026, 12, 9))


def test_the_team_and_each_rep_through_cadence_owners(seeded, manager_user):
    result = result_for(manager_user)

    # Shared has no step-wise report, so no total over it knows "contacted"; every
    # meeting call counts for the team, the one naming no cadence too.
    assert counts(result.team) == [33, None, 40, 11, 6, 4]
    assert counts(by_name(result.reps, PRIYA)) == [25, None, 34, 8, 5, 2]
    assert counts(by_name(result.reps, DIEGO)) == [13, None, 10, 5, 3, 2]


def test_chosen_cadences_cut_the_funnel(seeded, manager_user):
    result = result_for(manager_user, {**DECEMBER, "cadence": ["Alpha", "Beta"]})

    # Meetings are then the calls naming those cadences: not Diego's call naming none.
    assert counts(result.team) == [28, 25, 36, 9, 4, 3]
    assert counts(by_name(result.reps, DIEGO)) == [8, 7, 6, 3, 1, 1]


def test_chosen_cadences_and_reps_cut_the_funnel(seeded, manager_user):
    result = result_for(manager_user, {**DECEMBER, "cadence": ["Alpha", "Beta"], "rep": PRIYA})

    # Priya's cadences among those chosen (Beta is Diego's), and her meetings.
    assert [r.name for r in result.cadences] == ["Alpha"]
    assert counts(result.team) == [20, 18, 30, 6, 3, 2]
    assert [r.name for r in result.reps] == [PRIYA]
    assert counts(result.reps[0]) == [20, 18, 30, 6, 3, 2]


def test_a_rep_sees_only_their_cadences_and_their_own_calls(seeded, rep_user):
    result = result_for(rep_user)

    assert [r.name for r in result.cadences] == ["Alpha", "Shared"]
    assert [r.name for r in result.reps] == [PRIYA]
    assert counts(result.team) == [25, None, 34, 8, 5, 2]


def test_a_reps_page_names_no_colleague_or_their_cadence(seeded, rep_client):
    body = rep_client.get(reverse("reporting:funnel"), {**DECEMBER, "rep": DIEGO}).content.decode()

    assert "Alpha" in body
    assert "Beta" not in body
    assert DIEGO not in body


def test_the_page_shows_counts_conversions_and_different_things(seeded, manager_client):
    response = manager_client.get(reverse("reporting:funnel"), DECEMBER)

    assert response.status_code == 200
    body = response.content.decode()
    assert 'data-testid="team-steps"' in body
    assert EXCEEDS in body or "more than before" in body
    assert "reporting.js" in body and "plotly" in body
    assert 'data-testid="chart-outcome_funnel"' in body
    assert "not known" in body
    assert "current lead status of each prospect is not available" in body


def test_the_reports_page_links_to_the_funnel(seeded, manager_client):
    body = manager_client.get(reverse("reporting:dashboard")).content.decode()

    assert reverse("reporting:funnel") in body


def test_a_reversed_range_is_named_and_the_default_shown(seeded, manager_client):
    response = manager_client.get(
        reverse("reporting:funnel"),
        {"range": "custom", "start": "2026-12-10", "end": "2026-12-01"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert "The end date is before the start date." in body
    assert 'data-range="2026-11-11..2026-12-10"' in body


def test_an_htmx_request_gets_the_result_and_a_tidy_address(seeded, manager_client):
    response = manager_client.get(
        reverse("reporting:funnel"),
        {"range": "7", "sort": "-replies"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert 'id="funnel-result"' in response.content.decode()
    assert "<html" not in response.content.decode()
    assert response["HX-Push-Url"] == reverse("reporting:funnel") + "?range=7"


def test_the_funnels_csv_is_its_steps(seeded, manager_client):
    response = manager_client.get(reverse("reporting:csv", args=["outcome_funnel"]), DECEMBER)

    lines = response.content.decode().splitlines()
    assert lines[0] == "step,count,conversion_from_previous"
    assert lines[1] == "Added,33,"
    assert lines[2] == f"Contacted,,{NOT_KNOWN}"


def test_crm_lead_statuses_given_at_push_per_viewer(seeded, manager_user, rep_user):
    mine = Prospect.objects.create(email="a@x.example", owner_email=PRIYA, cadence_name="Alpha")
    theirs = Prospect.objects.create(email="b@x.example", owner_email=DIEGO, cadence_name="Beta")
    push = Transfer.objects.create(
        direction=Transfer.Direction.TO_CRM,
        created_by=manager_user,
        lead_status={"id": 1, "label": "Qualified", "color": "#0f0"},
    )
    TransferItem.objects.create(transfer=push, prospect=mine, state=TransferItem.State.CREATED)
    TransferItem.objects.create(transfer=push, prospect=theirs, state=TransferItem.State.EXISTS)
    TransferItem.objects.create(transfer=push, prospect=theirs, state=TransferItem.State.FAILED)
    from reporting import crm_stages

    filters = scope.report_filters(manager_user, {})
    assert [(s.status, s.contacts) for s in crm_stages.pushed_by_status(manager_user, filters)] == [
        ("Qualified", 2)
    ]
    filters = scope.report_filters(rep_user, {})
    assert [(s.status, s.contacts) for s in crm_stages.pushed_by_status(rep_user, filters)] == [
        ("Qualified", 1)
    ]


def page_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("reporting:funnel"), DECEMBER).status_code == 200
    return len(captured)


@pytest.mark.parametrize("who", ["manager_client", "rep_client"])
def test_the_funnels_queries_do_not_grow_with_the_history(
    seeded, request, who, django_assert_max_num_queries
):
    client = request.getfixturevalue(who)
    few = page_queries(client)
    for n in range(30):
        Cadence.objects.create(klenty_id=f"x{n}", name=f"Extra {n}", owners=[PRIYA, DIEGO])
        engagement(f"Extra {n}", date(2026, 12, 2), 3, 2, 1, 1)
        snapshot(f"Extra {n}", date(2026, 12, 9), (1, "email", 3), (2, "email", 2))
        call(300 + n, DIEGO, date(2026, 12, 8), "CONNECTED", "Meeting Booked")
    rebuild_call_days({date(2026, 12, 8)})

    with django_assert_max_num_queries(few):
        assert client.get(reverse("reporting:funnel"), DECEMBER).status_code == 200
    assert few <= 13


def test_a_rep_who_owns_no_cadence_has_an_empty_funnel_not_an_unknown_one(
    seeded, manager_user, settings
):
    settings.KLENTY_TEAM_EMAILS = [PRIYA, DIEGO, "sam.okafor@northwind.example"]

    sam = by_name(result_for(manager_user).reps, "sam.okafor@northwind.example")

    assert counts(sam) == [0, 0, 0, 0, 0, 0]
    assert conversions(sam) == ["", "–", "–", "–", "–", "–"]
