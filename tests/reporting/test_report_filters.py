"""The reports' filters reach "Email me this report", and typed dates that are not a
complete, possible date are refused rather than reported on."""

from __future__ import annotations

import html
import re

import pytest
import time_machine
from django.urls import reverse

from reporting.models import ReportSubscription
from tests.reporting.conftest import TODAY

pytestmark = pytest.mark.django_db

URL = reverse("reporting:dashboard")
HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def frozen():
    with time_machine.travel(f"{TODAY.isoformat()} 12:00 +0000", tick=False):
        yield


def email_me_href(response) -> str:
    match = re.search(r'<a [^>]*id="email-me"[^>]*href="([^"]+)"', response.content.decode())
    assert match, "no 'Email me this report' link"
    return html.unescape(match.group(1))


def test_the_link_in_the_fragment_after_a_filter_change_carries_the_filters(
    manager_client, stored_reports
):
    response = manager_client.get(URL, {"range": "7", "cadence": "Alpha"}, headers=HTMX)

    assert 'id="email-me"' in response.content.decode()
    assert (
        email_me_href(response)
        == f"{reverse('reporting:emails')}?filters=range%3D7%26cadence%3DAlpha"
    )


def test_a_subscription_made_from_the_filtered_page_stores_its_filters(
    manager_client, manager_user, stored_reports
):
    fragment = manager_client.get(URL, {"range": "7", "cadence": "Alpha"}, headers=HTMX)
    form_page = manager_client.get(email_me_href(fragment))
    form = form_page.context["form"]
    assert "Last 7 days; cadences: Alpha; all reps" in form_page.content.decode()

    response = manager_client.post(
        reverse("reporting:emails"),
        {
            "report": "engagement",
            "frequency": "daily",
            "weekday": "0",
            "hour": "8",
            "time_zone": "UTC",
            # The page's own controls, filled from the link.
            "range": form["range"].value(),
            "cadence": form["cadence"].value(),
            "extra_recipients": "",
        },
    )

    assert response.status_code == 302
    assert ReportSubscription.objects.get(user=manager_user).filters == "range=7&cadence=Alpha"


@pytest.mark.parametrize(
    ("start", "end", "problem"),
    [
        ("0001-11-04", "2026-03-10", "From: Choose a date between 2000 and 2027."),
        ("2026-03-10", "2026-03-01", "To: The end date is before the start date."),
    ],
)
def test_an_impossible_custom_range_is_refused_with_a_message(
    manager_client, stored_reports, start, end, problem
):
    response = manager_client.get(
        URL, {"range": "custom", "start": start, "end": end}, headers=HTMX
    )

    assert response.status_code == 200
    assert problem in response.content.decode()
    filters = response.context["filters"]
    # Not a report on the scrambled range, nor on the swapped one: the default's.
    assert (filters.preset, filters.days, filters.end) == ("30", 30, TODAY)
