"""The reports page: its numbers against sums computed here from the stored rows."""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from reporting.models import CONNECTED_DISPOSITIONS, Call, EngagementDay, StepRow, StepSnapshot
from reporting.rollups import rebuild_all
from tests.reporting.conftest import CADENCES, REPS, TODAY

pytestmark = pytest.mark.django_db

URL = reverse("reporting:dashboard")


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(f"{TODAY.isoformat()} 12:00 +0000", tick=False):
        yield


def figure(response, name: str) -> dict:
    match = re.search(
        rf'<script id="figure-{name}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert match, f"no figure {name}"
    return json.loads(match.group(1))


def trace(fig: dict, name: str) -> dict:
    return next(t for t in fig["data"] if t["name"] == name)


def csv_rows(client, name: str, query: str = "") -> list[dict]:
    response = client.get(reverse("reporting:csv", args=[name]) + query)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


def test_engagement_per_day_matches_the_stored_rows(manager_client, stored_reports):
    response = manager_client.get(URL, {"range": "7"})

    fig = figure(response, "engagement")
    days = [TODAY - timedelta(days=n) for n in range(6, -1, -1)]
    assert trace(fig, "Opens")["x"] == [d.isoformat() for d in days]
    for metric, label in (("opens", "Opens"), ("replies", "Replies"), ("bounces", "Bounces")):
        expected = [
            sum(getattr(r, metric) for r in EngagementDay.objects.filter(day=d)) for d in days
        ]
        assert trace(fig, label)["y"] == expected
    previous = [d - timedelta(days=7) for d in days]
    assert trace(fig, "Opens, previous period")["y"] == [
        sum(r.opens for r in EngagementDay.objects.filter(day=d)) for d in previous
    ]


def test_rates_compare_this_period_with_the_one_before(manager_client, stored_reports):
    response = manager_client.get(URL, {"range": "30"})

    def totals(first, last):
        rows = EngagementDay.objects.filter(day__gte=first, day__lte=last)
        return {m: sum(getattr(r, m) for r in rows) for m in EngagementDay.METRICS}

    now = totals(TODAY - timedelta(days=29), TODAY)
    before = totals(TODAY - timedelta(days=59), TODAY - timedelta(days=30))
    rates = {r.label: r for r in response.context["engagement"].figures["rates"]}
    assert rates["Reply rate"].now == round(100 * now["replies"] / now["prospects_added"], 1)
    assert rates["Reply rate"].before == round(
        100 * before["replies"] / before["prospects_added"], 1
    )
    assert rates["Click rate"].now == round(100 * now["clicks"] / now["opens"], 1)
    assert rates["Positive share"].now == round(100 * now["positive"] / now["replies"], 1)


def test_a_cadence_filter_narrows_the_engagement(manager_client, stored_reports):
    response = manager_client.get(URL, {"range": "7", "cadence": "Beta"})

    fig = figure(response, "engagement")
    expected = sum(
        r.replies
        for r in EngagementDay.objects.filter(
            cadence_name="Beta", day__gt=TODAY - timedelta(days=7)
        )
    )
    assert sum(trace(fig, "Replies")["y"]) == expected


def test_cadence_comparison_sums_each_cadence_and_sorts(manager_client, stored_reports):
    rows = csv_rows(manager_client, "cadences", "?range=30&sort=cadence")

    assert [r["cadence"] for r in rows] == sorted(CADENCES)
    for row in rows:
        stored = EngagementDay.objects.filter(
            cadence_name=row["cadence"], day__gt=TODAY - timedelta(days=30)
        )
        for metric in EngagementDay.METRICS:
            assert int(row[metric]) == sum(getattr(r, metric) for r in stored)

    by_replies = csv_rows(manager_client, "cadences", "?range=30&sort=-replies")
    replies = [int(r["replies"]) for r in by_replies]
    assert replies == sorted(replies, reverse=True)


def test_comparison_numbers_link_to_the_prospects_behind_them(manager_client, stored_reports):
    response = manager_client.get(URL)

    html = response.content.decode()
    assert "/prospects/?cadence=Alpha&amp;status=Replied" in html
    assert "/prospects/?cadence=Alpha&amp;cadence_status=In+Cadence" in html
    assert "/prospects/?cadence=Alpha&amp;created_from=" in html


def test_calls_per_day_by_disposition_match_the_stored_calls(manager_client, stored_reports):
    rows = csv_rows(manager_client, "calls_daily", "?range=30")

    stored = Counter(
        (c.called_on.isoformat(), c.disposition)
        for c in Call.objects.filter(called_on__gt=TODAY - timedelta(days=30))
    )
    assert {(r["day"], r["disposition"]): int(r["calls"]) for r in rows} == stored


def test_leaderboard_connect_rate_and_durations_match(manager_client, stored_reports):
    response = manager_client.get(URL, {"range": "90"})

    calls = list(Call.objects.all())  # all 60 days fall in the range
    per_rep = defaultdict(list)
    for call in calls:
        per_rep[call.username].append(call)
    board = {row["rep"]: row for row in response.context["calls"].figures["leaderboard"]}
    assert set(board) == set(REPS)
    for rep, mine in per_rep.items():
        connected = sum(c.disposition in CONNECTED_DISPOSITIONS for c in mine)
        assert board[rep]["calls"] == len(mine)
        assert board[rep]["connected"] == connected
        assert board[rep]["connect_rate"] == round(100 * connected / len(mine), 1)
        assert board[rep]["meetings"] == sum(c.disposition == "MEETING_BOOKED" for c in mine)
    durations = figure(response, "durations")["data"][0]["y"]
    assert sum(durations) == len(calls)
    assert durations[0] == sum(c.duration_seconds < 30 for c in calls)
    assert durations[-1] == sum(c.duration_seconds >= 1200 for c in calls)


def test_a_rep_sees_only_their_own_calls(rep_client, rep_user, stored_reports):
    response = rep_client.get(URL, {"range": "90", "rep": REPS[1]})

    board = response.context["calls"].figures["leaderboard"]
    assert [row["rep"] for row in board] == [rep_user.klenty_email]
    assert board[0]["calls"] == Call.objects.filter(username=rep_user.klenty_email).count()
    html = response.content.decode()
    assert REPS[1] not in html and REPS[2] not in html
    for name in ("calls_reps", "leaderboard", "calls_daily"):
        text = rep_client.get(reverse("reporting:csv", args=[name]), {"range": "90"}).content
        assert REPS[1].encode() not in text and REPS[2].encode() not in text
    daily = csv_rows(rep_client, "calls_daily", "?range=90")
    assert sum(int(r["calls"]) for r in daily) == board[0]["calls"]


def test_a_rep_without_a_klenty_email_sees_no_calls(client, stored_reports):
    from tests.conftest import make_user

    client.force_login(make_user("nobody", "rep"))

    response = client.get(URL)

    assert response.context["calls"].figures["kpis"]["calls"] == 0


def test_a_manager_can_narrow_calls_to_some_reps(manager_client, stored_reports):
    response = manager_client.get(URL, {"range": "90", "rep": [REPS[0], REPS[2]]})

    board = response.context["calls"].figures["leaderboard"]
    assert {row["rep"] for row in board} == {REPS[0], REPS[2]}


def test_htmx_gets_only_the_charts(manager_client, stored_reports):
    response = manager_client.get(URL, {"range": "7"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert 'id="charts"' in html
    assert 'id="report-filters"' not in html
    assert "<html" not in html
    assert 'hx-swap-oob="true"' in html  # the form's dates follow the preset
    assert response["HX-Push-Url"] == f"{URL}?range=7"


def test_a_section_fragment_pushes_the_reports_url(manager_client, stored_reports):
    response = manager_client.get(
        reverse("reporting:section", args=["cadences"]),
        {"range": "7", "sort": "cadence"},
        headers={"HX-Request": "true"},
    )

    assert response.status_code == 200
    assert 'id="section-cadences"' in response.content.decode()
    assert response["HX-Push-Url"] == f"{URL}?range=7&sort=cadence"


def test_a_custom_range_is_kept_in_the_url(manager_client, stored_reports):
    response = manager_client.get(
        URL, {"range": "custom", "start": "2026-02-01", "end": "2026-02-10"}
    )

    filters = response.context["filters"]
    assert (filters.start.isoformat(), filters.end.isoformat()) == ("2026-02-01", "2026-02-10")
    assert filters.previous[0].isoformat() == "2026-01-22"
    assert "range=custom&amp;start=2026-02-01&amp;end=2026-02-10" in response.content.decode()


def test_the_page_costs_the_same_queries_with_more_data(
    manager_client, stored_reports, django_assert_max_num_queries
):
    manager_client.get(URL)  # the session and connection rows are read once warm
    with django_assert_max_num_queries(16) as small:
        manager_client.get(URL, {"range": "90"})
    Call.objects.bulk_create(
        Call(call_sid=f"CX{n}", username=REPS[n % 3], called_on=TODAY - timedelta(days=n % 80))
        for n in range(3000)
    )
    rebuild_all()
    with django_assert_max_num_queries(len(small.captured_queries)):
        manager_client.get(URL, {"range": "90"})


def test_csv_for_an_unknown_chart_is_404(manager_client, db):
    assert manager_client.get(reverse("reporting:csv", args=["nope"])).status_code == 404


def test_the_page_works_with_no_data_yet(manager_client, db):
    response = manager_client.get(URL)

    assert response.status_code == 200
    assert "No engagement data for this range" in response.content.decode()


# -- labels plotly would draw as markup ------------------------------------------------

LINK = '<a href="https://evil.example/login">x</a>'
SHORT_LINK = "<a href=//e.x>"  # a step type holds 16 characters


@pytest.fixture
def markup_everywhere(db):
    """Every string that reaches a figure, from the vendor's data, carrying markup."""
    EngagementDay.objects.create(cadence_name=LINK, day=TODAY, opens=5, replies=2)
    Call.objects.create(
        call_sid="CA-markup", username=LINK, called_on=TODAY, disposition=LINK, duration_seconds=60
    )
    snapshot = StepSnapshot.objects.create(
        cadence_name=LINK, taken_on=TODAY, range_start=TODAY - timedelta(days=29), range_end=TODAY
    )
    for option in (0, 1):
        StepRow.objects.create(
            snapshot=snapshot,
            step_number=1,
            option=option,
            step_type=SHORT_LINK,
            mails=3,
            template_name=LINK,
            subject=LINK,
        )
    rebuild_all()


def figure_strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [s for item in value for s in figure_strings(item)]
    return []


def test_no_figure_carries_markup_from_a_name(manager_client, markup_everywhere):
    response = manager_client.get(URL, {"range": "30", "funnel": LINK})

    names = re.findall(r'<script id="figure-([a-z_]+)"', response.content.decode())
    assert {"engagement_cadences", "funnel", "ab", "calls_reps", "calls_daily"} <= set(names)
    for name in names:
        fig = figure(response, name)
        text = json.dumps(fig, ensure_ascii=False)
        assert "<a" not in text, name
        # The only markup left is the line breaks the charts write themselves.
        assert all(s.replace("<br>", "").count("<") == 0 for s in figure_strings(fig)), name
    legend = {t["name"] for t in figure(response, "engagement_cadences")["data"]}
    assert legend == {'&lt;a href="https://evil.example/login"&gt;x&lt;/a&gt;'}
    assert "&lt;a href" in figure(response, "funnel")["layout"]["title"]["text"]


def test_the_csv_keeps_the_names_as_they_are(manager_client, markup_everywhere):
    rows = csv_rows(manager_client, "engagement_cadences", "?range=30")

    assert {r["cadence"] for r in rows} == {LINK}
