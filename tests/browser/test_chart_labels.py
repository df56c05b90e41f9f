"""A cadence named like a link is drawn as text in the chart legend, not as a live link."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from reporting.models import EngagementDay
from reporting.rollups import rebuild_all
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser

LINK = '<a href="https://evil.example/login">x</a>'


@pytest.fixture
def cadence_named_like_a_link(transactional_db):
    today = date.today()
    # Two cadences: plotly shows a legend only for more than one trace.
    EngagementDay.objects.bulk_create(
        EngagementDay(cadence_name=name, day=today - timedelta(days=n), opens=4, replies=1)
        for name in (LINK, "Plain")
        for n in range(5)
    )
    rebuild_all()


def test_a_cadence_named_like_a_link_is_plain_text_in_the_legend(
    page, demo_users, cadence_named_like_a_link
):
    sign_in(page, "manager", "klenty-manager")
    page.goto("/reports/")

    legend = page.locator("#chart-engagement_cadences .plot[data-drawn] .legend")
    expect(legend).to_contain_text(LINK)
    expect(legend.locator("a")).to_have_count(0)
    expect(page.locator(".plot svg a")).to_have_count(0)
    # The browser escapes any figure it is handed, whatever the server sent.
    assert page.evaluate("plotlySafe({name: '<a href=x>y</a>', ticks: ['one<br>two']})") == {
        "name": "&lt;a href=x&gt;y&lt;/a&gt;",
        "ticks": ["one<br>two"],
    }
