"""The reports say what their numbers are: a Rep's engagement is the Rep's own
cadences, today is marked as a day under way, many cadences stack instead of tangling,
and a ratio that can pass 100% is not shown as a rate."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.urls import reverse

from cadences.models import Cadence
from reporting.models import EngagementDay
from tests.reporting.conftest import CADENCES, TODAY
from tests.reporting.test_charts import figure, trace

pytestmark = pytest.mark.django_db

URL = reverse("reporting:dashboard")
PRIYA = "priya.natarajan@northwind.example"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(f"{TODAY.isoformat()} 12:00 +0000", tick=False):
        yield


def sum_of(metric: str, names, first: date, last: date) -> int:
    rows = EngagementDay.objects.filter(cadence_name__in=names, day__gte=first, day__lte=last)
    return sum(getattr(r, metric) for r in rows)


def test_a_rep_sees_the_engagement_of_the_cadences_they_own_and_is_told(rep_client, stored_reports):
    Cadence.objects.create(klenty_id="a", name="Alpha", owners=[PRIYA])
    Cadence.objects.create(klenty_id="b", name="Beta", owners=["morgan.hale@northwind.example"])

    response = rep_client.get(URL, {"range": "7"})

    totals = response.context["engagement"].figures["totals"]
    assert totals["replies"] == sum_of("replies", ["Alpha"], TODAY - timedelta(days=6), TODAY)
    rows = response.context["cadences"].figures["rows"]
    assert [r["cadence"] for r in rows] == ["Alpha"]
    assert response.context["funnel"].figures["cadences"] == []  # no snapshot of Alpha
    html = response.content.decode()
    assert "(the cadences you own)" in html
    assert "Beta" not in html and "Gamma" not in html
    csv_text = rep_client.get(reverse("reporting:csv", args=["cadences"]), {"range": "7"})
    assert b"Beta" not in csv_text.content and b"Alpha" in csv_text.content


def test_a_rep_who_owns_no_cadence_sees_no_team_engagement(rep_client, stored_reports):
    response = rep_client.get(URL, {"range": "7"})

    assert response.context["engagement"].figures["totals"]["opens"] == 0
    assert response.context["cadences"].figures["rows"] == []


def test_a_manager_still_sees_the_whole_team(manager_client, stored_reports):
    Cadence.objects.create(klenty_id="a", name="Alpha", owners=[PRIYA])

    response = manager_client.get(URL, {"range": "7"})

    totals = response.context["engagement"].figures["totals"]
    assert totals["replies"] == sum_of("replies", CADENCES, TODAY - timedelta(days=6), TODAY)


def test_opens_per_prospect_is_a_count_beside_the_rates_not_a_rate(manager_client, stored_reports):
    EngagementDay.objects.all().update(opens=300, prospects_added=100)

    response = manager_client.get(URL, {"range": "7"})

    section = response.context["engagement"]
    assert all(r.now is None or r.now <= 100 for r in section.figures["rates"])
    assert not any("open" in r.label.lower() for r in section.figures["rates"])
    assert section.figures["opens_per_prospect"][0] == 3.0
    assert "Opens per prospect added: <strong>3.0</strong>" in response.content.decode()
    rates_figure = figure(response, "rates")
    assert all(y is None or y <= 100 for t in rates_figure["data"] for y in t["y"])


def test_a_range_that_reaches_today_marks_today_as_a_day_under_way(manager_client, stored_reports):
    response = manager_client.get(URL, {"range": "7"})

    for name in ("engagement", "engagement_cadences", "calls_daily", "connect_rate"):
        layout = figure(response, name)["layout"]
        assert [a["text"] for a in layout["annotations"]] == ["Today so far"], name
        assert layout["annotations"][0]["x"] == TODAY.isoformat()
        shape = layout["shapes"][0]
        assert shape["x0"] < TODAY.isoformat() < shape["x1"]


def test_a_range_that_ended_before_today_has_no_partial_day(manager_client, stored_reports):
    start, end = TODAY - timedelta(days=20), TODAY - timedelta(days=10)
    response = manager_client.get(
        URL, {"range": "custom", "start": start.isoformat(), "end": end.isoformat()}
    )

    layout = figure(response, "engagement")["layout"]
    assert "annotations" not in layout and "shapes" not in layout


def test_many_cadences_stack_with_the_rest_as_one_band_that_adds_up_to_the_team(manager_client, db):
    with time_machine.travel(f"{TODAY.isoformat()} 12:00 +0000", tick=False):
        EngagementDay.objects.bulk_create(
            EngagementDay(cadence_name=f"C{n:02d}", day=TODAY - timedelta(days=d), replies=n + d)
            for n in range(12)
            for d in range(3)
        )
        response = manager_client.get(URL, {"range": "7"})

    fig = figure(response, "engagement_cadences")
    names = [t["name"] for t in fig["data"]]
    assert len(names) == 9 and names[-1] == "All other cadences"
    assert {t.get("stackgroup") for t in fig["data"]} == {"cadences"}
    team = trace(figure(response, "engagement"), "Replies")["y"]
    stacked = [sum(t["y"][i] for t in fig["data"]) for i in range(len(team))]
    assert stacked == team
    assert "stacked (top 8 and the rest)" in fig["layout"]["title"]["text"]
