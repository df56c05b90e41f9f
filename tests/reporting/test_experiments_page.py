"""The Experiments page: arms summed from the stored reports, in scope for the user,
bad choices answered with messages, a constant number of queries."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from cadences.models import Cadence
from reporting.models import EngagementDay, StepRow, StepSnapshot
from tests.reporting.conftest import TODAY

pytestmark = pytest.mark.django_db

URL = reverse("reporting:experiments")
PRIYA = "priya.natarajan@northwind.example"


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(f"{TODAY.isoformat()} 12:00 +0000", tick=False):
        yield


def engagement(names, days=20, added=10, replies=(2, 4), positive=1):
    """`days` days up to TODAY for each cadence: `added` prospects a day, and the
    cadence's share of `replies` a day (one value per cadence)."""
    EngagementDay.objects.bulk_create(
        EngagementDay(
            cadence_name=name,
            day=TODAY - timedelta(days=n),
            prospects_added=added,
            replies=replies[i % len(replies)],
            positive=positive,
        )
        for i, name in enumerate(names)
        for n in range(days)
    )


def step_options(cadence="Alpha", taken_on=TODAY, options=((400, 20, 5), (400, 44, 12))):
    snapshot = StepSnapshot.objects.create(
        cadence_name=cadence,
        taken_on=taken_on,
        range_start=taken_on - timedelta(days=29),
        range_end=taken_on,
    )
    StepRow.objects.create(snapshot=snapshot, step_number=1, option=0, mails=800)
    for number, (mails, replies, positive) in enumerate(options, start=1):
        StepRow.objects.create(
            snapshot=snapshot,
            step_number=1,
            option=number,
            mails=mails,
            replies=replies,
            positive=positive,
            subject=f"Subject {number}",
        )
    return snapshot


def test_two_cadences_are_compared_on_their_sums_over_the_range(manager_client):
    engagement(["Alpha", "Beta"], days=40, replies=(2, 4))

    response = manager_client.get(
        URL, {"kind": "cadences", "arm": ["Alpha", "Beta"], "range": "30"}
    )

    assert response.status_code == 200
    result = response.context["experiment"].result
    assert [(a.label, a.n, a.successes) for a in result.arms] == [
        ("Alpha", 300, 60),
        ("Beta", 300, 120),
    ]
    assert result.significant
    html = response.content.decode()
    assert "Beta is better with 95% confidence" in html
    assert "Two-proportion z-test" in html


def test_the_positive_rate_reads_positive_replies(manager_client):
    engagement(["Alpha", "Beta"], days=7, positive=1)

    response = manager_client.get(
        URL, {"kind": "cadences", "arm": ["Alpha", "Beta"], "metric": "positive", "range": "7"}
    )

    result = response.context["experiment"].result
    assert [(a.n, a.successes) for a in result.arms] == [(70, 7), (70, 7)]
    html = response.content.decode()
    assert "have the same rate so far" in html
    assert "Alpha (7) and Beta (7) have fewer than 30 positive replies each" in html


def test_three_cadences_get_the_chi_square_and_holm(manager_client):
    engagement(["Alpha", "Beta", "Gamma"], days=30, replies=(1, 2, 3))

    response = manager_client.get(URL, {"kind": "cadences", "arm": ["Alpha", "Beta", "Gamma"]})

    result = response.context["experiment"].result
    assert result.test == "chi-square" and result.best.label == "Gamma"
    html = response.content.decode()
    assert "Chi-square test that all 3 arms share one rate" in html
    assert "p, Holm-corrected" in html


def test_the_ab_options_of_a_step_are_compared_per_mail(manager_client):
    engagement(["Alpha"], days=3)
    snapshot = step_options()
    step_options(taken_on=TODAY - timedelta(days=3), options=((10, 1, 0), (10, 9, 0)))

    response = manager_client.get(URL, {"kind": "options", "test": f"{snapshot.pk}:1"})

    experiment = response.context["experiment"]
    assert [(a.label, a.n, a.successes) for a in experiment.result.arms] == [
        ("Option A", 400, 20),
        ("Option B", 400, 44),
    ]
    html = response.content.decode()
    assert "Option B is better with 95% confidence" in html
    assert "Subject 2" in html


def test_only_the_newest_snapshot_by_the_range_end_is_offered(manager_client):
    older = step_options(taken_on=TODAY - timedelta(days=10))
    newer = step_options()

    response = manager_client.get(URL)
    offered = [value for value, _label in response.context["form"].fields["test"].choices]
    assert offered == ["", f"{newer.pk}:1"]
    response = manager_client.get(
        URL,
        {
            "range": "custom",
            "start": (TODAY - timedelta(days=20)).isoformat(),
            "end": (TODAY - timedelta(days=5)).isoformat(),
        },
    )
    offered = [value for value, _label in response.context["form"].fields["test"].choices]
    assert offered == ["", f"{older.pk}:1"]


@pytest.mark.parametrize(
    "params, message",
    [
        ({"kind": "cadences", "arm": ["Alpha"]}, "Choose at least two cadences to compare."),
        ({"kind": "cadences"}, "Choose at least two cadences to compare."),
        (
            {"kind": "cadences", "arm": ["Alpha", "Alpha"]},
            "Alpha is chosen twice: choose each cadence once.",
        ),
        ({"kind": "cadences", "arm": ["Alpha", "Nope"]}, "Select a valid choice."),
        ({"kind": "options"}, "Choose a step with A/B options."),
        ({"kind": "options", "test": "999:1"}, "That step is not in the step-wise reports"),
        ({"kind": "options", "test": "nonsense"}, "choose a step from the list."),
        ({"kind": "sideways", "arm": ["Alpha", "Beta"]}, "Select a valid choice."),
        ({"kind": "cadences", "arm": ["Alpha", "Beta"], "metric": "x"}, "Select a valid choice."),
    ],
)
def test_bad_choices_get_messages_never_a_server_error(manager_client, params, message):
    engagement(["Alpha", "Beta"], days=5)

    response = manager_client.get(URL, params)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["experiment"] is None


def test_an_arm_without_data_in_the_range_says_so(manager_client):
    engagement(["Alpha"], days=5)
    EngagementDay.objects.create(
        cadence_name="Beta", day=TODAY - timedelta(days=100), prospects_added=5
    )

    response = manager_client.get(URL, {"kind": "cadences", "arm": ["Alpha", "Beta"], "range": "7"})

    assert response.status_code == 200
    assert "Beta has no prospects in this range, so it has no rate." in response.content.decode()


def test_more_replies_than_prospects_added_is_explained(manager_client):
    engagement(["Alpha", "Beta"], days=5, added=1, replies=(3, 0))

    response = manager_client.get(URL, {"kind": "cadences", "arm": ["Alpha", "Beta"], "range": "7"})

    assert "Alpha has more replies (15) than prospects (5)" in response.content.decode()


def test_a_rep_compares_only_the_cadences_they_own(rep_client):
    engagement(["Alpha", "Beta", "Gamma"], days=5)
    Cadence.objects.create(klenty_id="a", name="Alpha", owners=[PRIYA])
    Cadence.objects.create(klenty_id="g", name="Gamma", owners=[PRIYA])
    Cadence.objects.create(klenty_id="b", name="Beta", owners=["morgan.hale@northwind.example"])
    step_options(cadence="Beta")

    page = rep_client.get(URL)
    assert [c for c, _ in page.context["form"].fields["arm"].choices] == ["Alpha", "Gamma"]
    assert page.context["form"].fields["test"].choices == [("", "Choose a step")]
    assert "Beta" not in page.content.decode()

    refused = rep_client.get(URL, {"kind": "cadences", "arm": ["Alpha", "Beta"]})
    assert refused.context["experiment"] is None
    assert "Select a valid choice. Beta is not one of the available choices." in (
        refused.content.decode()
    )
    allowed = rep_client.get(URL, {"kind": "cadences", "arm": ["Alpha", "Gamma"]})
    assert allowed.context["experiment"].result is not None


def test_the_page_is_linked_from_the_reports_and_the_palette(manager_client):
    assert URL in manager_client.get(reverse("reporting:dashboard")).content.decode()
    found = manager_client.get(reverse("palette"), {"q": "experiments"}).json()
    assert any(entry["url"] == URL for entry in found["results"])


def test_htmx_answers_the_result_with_a_tidy_address(manager_client):
    engagement(["Alpha", "Beta"], days=5)

    response = manager_client.get(
        URL,
        {"kind": "cadences", "metric": "reply", "arm": ["Alpha", "Beta"], "range": "7", "test": ""},
        headers={"HX-Request": "true"},
    )

    assert response.content.decode().lstrip().startswith('<section id="experiment-result"')
    assert response["HX-Push-Url"] == f"{URL}?range=7&kind=cadences&metric=reply&arm=Alpha&arm=Beta"


def test_queries_do_not_grow_with_the_data(manager_client, django_assert_max_num_queries):
    engagement(["Alpha", "Beta"], days=5)
    step_options()
    params = {"kind": "cadences", "arm": ["Alpha", "Beta"]}
    with django_assert_max_num_queries(7) as small:
        manager_client.get(URL, params)

    engagement([f"Cadence {n}" for n in range(40)], days=60)
    for n in range(20):
        step_options(cadence=f"Cadence {n}", options=((100, 5, 1),) * 4)
    with django_assert_max_num_queries(len(small.captured_queries)):
        manager_client.get(URL, params)
    snapshot = StepSnapshot.objects.filter(cadence_name="Alpha").get()
    with django_assert_max_num_queries(len(small.captured_queries)):
        manager_client.get(URL, {"kind": "options", "test": f"{snapshot.pk}:1"})


@pytest.mark.parametrize(
    "params",
    [
        {"range": "custom", "start": "0001-01-01", "end": "9999-12-31", "arm": ["Alpha", "Beta"]},
        {"range": "custom", "start": "2026-02-30", "end": "x", "arm": ["Alpha", "Beta"]},
        {"range": "forever", "kind": "cadences", "arm": ["Alpha", "Beta"]},
        {"arm": ["Alpha", "Beta", "'; DROP TABLE reporting_engagementday; --"]},
        {"arm": ["Alpha"] * 500},
        {"kind": "options", "test": "99999999999999999999999:1"},
        {"kind": "options", "test": "-1:-1"},
        {"kind": "options", "test": "1:" + "9" * 5000},
        {"kind": ["cadences", "options"], "metric": ["reply", "positive"]},
    ],
)
def test_odd_addresses_are_answered_without_an_error(manager_client, params):
    engagement(["Alpha", "Beta"], days=5)
    step_options()

    for headers in ({}, {"HX-Request": "true"}):
        response = manager_client.get(URL, params, headers=headers)
        assert response.status_code == 200


def test_more_than_eight_cadences_are_refused(manager_client):
    names = [f"C{n}" for n in range(9)]
    engagement(names, days=2)

    response = manager_client.get(URL, {"arm": names})

    assert "Choose at most 8 cadences." in response.content.decode()


def test_loading_the_urls_does_not_import_statsmodels():
    """statsmodels takes over a second to import: only an experiment loads it."""
    code = (
        "import django, sys; django.setup(); import klentyadmin.urls; "
        "sys.exit('statsmodels' in sys.modules)"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "klentyadmin.settings"}
    assert subprocess.run([sys.executable, "-c", code], env=env, check=False).returncode == 0
