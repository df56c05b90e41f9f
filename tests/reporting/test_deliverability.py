"""Reports → Deliverability: rates per mail sent or per prospect added, the 2% and 5%
bands, capacity against the daily limit, Rep scoping and a constant query count.

The seeded numbers, computed by hand (window: the 90 days to TODAY):
- Alpha (owner priya): 100 added, 4 bounces, 1 unsubscribe in the window (100 more
  bounces 95 days ago, outside it); latest snapshot 150 + 50 mails (an A/B option's 80
  split the same mails; an older snapshot's 9,999 is stale) = 200 mails over 90 days:
  bounce 4/200 = 2.0% (OK: not over 2%), unsubscribe 0.5%, 2.2 mails a day.
- Beta (owner diego): no snapshot, so per prospect added: 3/40 = 7.5% (danger) and
  1/40 = 2.5% (warning).
- Gamma (no owner known): 20 added, nothing bounced; snapshot 100 mails over 30 days.
- The team: Beta has no mail count, so per prospect added: 7/160 = 4.4% (warning).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from cadences.models import Cadence, Event
from reporting import deliverability
from reporting.models import EngagementDay, StepRow, StepSnapshot
from tests.conftest import make_user
from tests.reporting.conftest import TODAY

URL = reverse("reporting:deliverability")
PRIYA = "priya.natarajan@northwind.example"
DIEGO = "diego.alvarez@northwind.example"
MORGAN = "morgan.hale@northwind.example"


@pytest.fixture(autouse=True)
def _today(settings):
    settings.KLENTY_TEAM_EMAILS = [PRIYA, DIEGO, MORGAN]
    with time_machine.travel(f"{TODAY.isoformat()} 12:00 +0000", tick=False):
        yield


def engagement(name: str, days_ago: int, **counts) -> None:
    EngagementDay.objects.create(cadence_name=name, day=TODAY - timedelta(days=days_ago), **counts)


def snapshot(name: str, days_ago: int, span: int, *mails: tuple[int, int, int]) -> None:
    taken = TODAY - timedelta(days=days_ago)
    shot = StepSnapshot.objects.create(
        cadence_name=name,
        taken_on=taken,
        range_start=taken - timedelta(days=span - 1),
        range_end=taken,
    )
    for step, option, count in mails:
        StepRow.objects.create(snapshot=shot, step_number=step, option=option, mails=count)


@pytest.fixture
def seeded(db):
    Cadence.objects.create(klenty_id="c1", name="Alpha", owners=[PRIYA])
    Cadence.objects.create(klenty_id="c2", name="Beta", owners=[DIEGO])
    engagement("Alpha", 0, prospects_added=50, bounces=3, unsubscribes=1)
    engagement("Alpha", 10, prospects_added=50, bounces=1)
    engagement("Alpha", 95, prospects_added=10, bounces=100)
    snapshot("Alpha", 0, 90, (1, 0, 150), (2, 0, 50), (1, 1, 80))
    snapshot("Alpha", 1, 90, (1, 0, 9999))
    engagement("Beta", 3, prospects_added=40, bounces=3, unsubscribes=1)
    engagement("Gamma", 5, prospects_added=20)
    snapshot("Gamma", 0, 30, (1, 0, 100))


def rows_by_name(rows):
    return {r.name: r for r in rows}


def test_cadence_rates_are_per_mail_sent_where_step_wise_counts_them(seeded, manager_user):
    report = deliverability.deliverability(manager_user)
    alpha = rows_by_name(report.cadences)["Alpha"]

    assert (alpha.bounces, alpha.unsubscribes, alpha.mails) == (4, 1, 200)
    assert alpha.basis == deliverability.PER_MAIL
    assert alpha.bounce_rate == 2.0
    assert alpha.bounce_band.name == "ok"  # 2.0% is not over 2%
    assert alpha.unsubscribe_rate == 0.5
    assert alpha.mails_per_day == pytest.approx(200 / 90)


def test_a_cadence_without_a_snapshot_is_per_prospect_added(seeded, manager_user):
    beta = rows_by_name(deliverability.deliverability(manager_user).cadences)["Beta"]

    assert beta.basis == deliverability.PER_PROSPECT
    assert (beta.bounce_rate, beta.bounce_band.name) == (7.5, "danger")
    assert (beta.unsubscribe_rate, beta.unsubscribe_band.name) == (2.5, "warning")
    assert beta.bounce_band.label == "Danger: over 5%"
    assert beta.mails_per_day is None


def test_reps_add_up_the_cadences_they_own(seeded, manager_user):
    report = deliverability.deliverability(manager_user)
    reps = rows_by_name(report.reps)

    assert reps[PRIYA].bounce_rate == 2.0 and reps[PRIYA].basis == deliverability.PER_MAIL
    assert reps[DIEGO].bounce_rate == 7.5 and reps[DIEGO].basis == deliverability.PER_PROSPECT
    assert reps[MORGAN].bounce_band == deliverability.NO_DATA
    assert reps[deliverability.NOT_ATTRIBUTED].added == 20  # Gamma has no known owner
    assert [r.name for r in report.reps][-1] == deliverability.NOT_ATTRIBUTED
    # The team mixes a cadence without mails in, so it is per prospect added.
    assert (report.team.bounces, report.team.added) == (7, 160)
    assert report.team.basis == deliverability.PER_PROSPECT
    assert (report.team.bounce_rate, report.team.bounce_band.name) == (4.4, "warning")


def test_capacity_is_mails_a_day_against_the_daily_limit(seeded, manager_user, settings):
    priya = rows_by_name(deliverability.deliverability(manager_user).reps)[PRIYA]
    assert (priya.capacity_percent, priya.capacity_band.name) == (0.4, "ok")  # 2.2 of 500

    settings.KLENTY_DAILY_SEND_LIMIT = 2
    priya = rows_by_name(deliverability.deliverability(manager_user).reps)[PRIYA]
    assert (priya.capacity_percent, priya.capacity_band.name) == (111.1, "danger")


def test_the_page_shows_bands_in_words_and_says_what_rates_divide_by(seeded, manager_client):
    response = manager_client.get(URL)
    page = response.content.decode()

    assert response.status_code == 200
    assert "Danger: over 5%" in page and "Warning: over 2%" in page
    assert "200 mails sent" in page and "40 prospects added" in page
    assert "500 mails a day" in page
    assert 'data-figure="figure-deliverability_trend"' in page


def test_a_rep_sees_only_the_cadences_they_own(seeded, rep_client):
    page = rep_client.get(URL).content.decode()

    assert "Alpha" in page
    assert "Beta" not in page and "Gamma" not in page
    assert DIEGO not in page and deliverability.NOT_ATTRIBUTED not in page
    assert "Only the cadences you own" in page


def test_a_rep_without_a_klenty_member_sees_nothing(seeded, client):
    client.force_login(make_user("nobody", "rep"))
    report = deliverability.deliverability(make_user("nobody2", "rep"))

    assert report.cadences == [] and report.reps == []
    assert "Alpha" not in client.get(URL).content.decode()


def test_the_trend_is_a_rolling_week_per_prospect_added(seeded, manager_user):
    chart = deliverability.deliverability(manager_user).trend
    by_day = {row[0]: row for row in chart.rows}

    # TODAY's week: Alpha's day 0 and Beta's day 3 (Gamma's day 5 too): 110 added.
    assert by_day[TODAY.isoformat()][1:4] == [110, 6, 2]
    assert by_day[TODAY.isoformat()][4] == round(100 * 6 / 110, 1)
    assert len(chart.rows) == deliverability.WINDOW_DAYS


def test_the_page_costs_the_same_queries_with_more_data(
    seeded, manager_client, django_assert_max_num_queries
):
    manager_client.get(URL)
    with django_assert_max_num_queries(9) as small:
        manager_client.get(URL)
    for n in range(30):
        name = f"Extra {n}"
        Cadence.objects.create(klenty_id=f"x{n}", name=name, owners=[PRIYA])
        EngagementDay.objects.bulk_create(
            EngagementDay(cadence_name=name, day=TODAY - timedelta(days=d), bounces=1)
            for d in range(60)
        )
        snapshot(name, 0, 90, (1, 0, 10), (2, 0, 10))
        sent(PRIYA, n, 3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        manager_client.get(URL)


def sent(owner: str, days_ago: int, count: int, prospect_owner: str = "") -> None:
    at = datetime(TODAY.year, TODAY.month, TODAY.day, 10, tzinfo=UTC) - timedelta(days=days_ago)
    Event.objects.bulk_create(
        Event(
            raw_body="{}",
            event_type=deliverability.SENT_EVENT,
            email=f"{owner[:4]}{days_ago}-{n}@acme.example",
            cadence_owner=owner,
            prospect_owner=prospect_owner or owner,
            occurred_at=at,
            received_at=at,
        )
        for n in range(count)
    )


def test_the_busiest_day_counts_email_sent_webhooks(seeded, manager_user, settings):
    sent(PRIYA, 2, 3)
    sent(PRIYA, 1, 5)
    sent(PRIYA, 100, 50)  # outside the window
    sent(DIEGO, 1, 1)
    settings.KLENTY_DAILY_SEND_LIMIT = 4

    reps = rows_by_name(deliverability.deliverability(manager_user).reps)

    assert (reps[PRIYA].busiest_day, reps[PRIYA].busiest_sends) == (TODAY - timedelta(days=1), 5)
    assert (reps[PRIYA].busiest_percent, reps[PRIYA].busiest_band.name) == (125.0, "danger")
    assert (reps[DIEGO].busiest_sends, reps[DIEGO].busiest_band.name) == (1, "ok")
    assert reps[MORGAN].busiest_sends is None


def test_a_rep_counts_only_sends_to_their_own_prospects(seeded, rep_user, rep_client):
    sent(PRIYA, 1, 2)
    sent(PRIYA, 2, 7, prospect_owner=DIEGO)  # Diego's prospects in Priya's cadence

    (priya,) = deliverability.deliverability(rep_user).reps

    assert priya.busiest_sends == 2
    assert "2 mails on" in rep_client.get(URL).content.decode()


def test_the_csvs_are_scoped_like_the_page(seeded, rep_client, manager_client):
    url = reverse("reporting:health_csv", args=["deliverability_cadences"])

    assert "Beta" in manager_client.get(url).content.decode()
    mine = rep_client.get(url).content.decode()
    assert "Alpha" in mine and "Beta" not in mine and "Gamma" not in mine
    assert rep_client.get(reverse("reporting:health_csv", args=["nope"])).status_code == 404
