"""Report emails that carry the cockpit: the scorecard, goals pacing and the alerts
of the period, scoped to the subscriber, and the form's options."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest
from django.core import mail
from django.urls import reverse

from alerts.models import AlertFiring
from cadences.models import Cadence
from reporting import email_cockpit, emails
from reporting.models import Goal, ReportSubscription
from reporting.rollups import rebuild_call_days
from tests.alerts.helpers import rule
from tests.conftest import make_user, signed_in_client
from tests.reporting.test_cockpit import DIEGO, PRIYA, call, engagement
from tests.reporting.test_emails import subscribe

pytestmark = pytest.mark.django_db

NOW = datetime(2026, 12, 10, 12, 0, tzinfo=UTC)  # Thursday 10 December
# "range=7": Friday 4 to Thursday 10 December. Pacing: December, 10 of 31 days begun.


def at(day: int, month: int = 12, hour: int = 9) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


@pytest.fixture
def seeded(time_machine, fake_images):
    time_machine.move_to(NOW, tick=False)
    Cadence.objects.create(klenty_id="c1", name="Alpha", owners=[PRIYA])
    Cadence.objects.create(klenty_id="c2", name="Beta", owners=[DIEGO])
    engagement("Alpha", date(2026, 12, 5), replies=7, positive=3)
    engagement("Alpha", date(2026, 12, 2), replies=40, positive=2)  # December, not the 7 days
    engagement("Beta", date(2026, 12, 6), replies=4, positive=1)
    rows = [
        (PRIYA, date(2026, 12, 8), "CONNECTED", "Meeting Booked"),
        (PRIYA, date(2026, 12, 8), "NOT_ANSWERED", ""),
        (PRIYA, date(2026, 12, 9), "NOT_ANSWERED", ""),
        (PRIYA, date(2026, 12, 9), "BUSY", ""),
        (DIEGO, date(2026, 12, 9), "VOICE_MAIL", ""),
        (DIEGO, date(2026, 12, 10), "VOICE_MAIL", ""),
    ]
    for n, row in enumerate(rows):
        call(n, *row)
    rebuild_call_days({row[1] for row in rows})
    december = {"period": Goal.Period.MONTH, "starts_on": date(2026, 12, 1)}
    # Priya: 1 meeting in 10 days projects to 3 of 10 (behind); 5 positive replies
    # project to 16 of 15 (on track). Diego: 2 calls project to 6 of 2 (ahead).
    Goal.objects.create(member=PRIYA, meetings=10, positive=15, **december)
    Goal.objects.create(member=DIEGO, calls=2, **december)

    team = rule(name="Team bounces")
    reps = rule(name="Rep bounces", scope="each_rep")
    firings = {
        "open": AlertFiring.objects.create(
            rule=team, started_at=at(8), message="Team bounce rate is 3 percent."
        ),
        "overlapping": AlertFiring.objects.create(
            rule=team,
            started_at=at(20, 11),
            resolved_at=at(5),
            message="Team bounce rate was 6 percent.",
        ),
        "old": AlertFiring.objects.create(
            rule=team,
            started_at=at(1, 11),
            resolved_at=at(3, 11),
            message="An old resolved alert.",
        ),
        "priya": AlertFiring.objects.create(
            rule=reps,
            subject=PRIYA,
            subject_kind="rep",
            started_at=at(9),
            message="Bounce rate for priya is 4 percent.",
        ),
        "diego": AlertFiring.objects.create(
            rule=reps,
            subject=DIEGO,
            subject_kind="rep",
            started_at=at(9, hour=10),
            message="Bounce rate for diego is 5 percent.",
        ),
    }
    return firings


@pytest.fixture
def fake_images(monkeypatch):
    from reporting import images

    monkeypatch.setattr(images, "render_pngs", lambda figures: [b"\x89PNG" for _ in figures])


def with_everything(user, **fields) -> ReportSubscription:
    return subscribe(
        user,
        time_zone="UTC",
        filters="range=7",
        include_scorecard=True,
        include_pacing=True,
        include_alerts=True,
        **fields,
    )


def send(subscription: ReportSubscription):
    assert emails.deliver(emails.queue_test(subscription).pk)
    return mail.outbox[-1]


def figures(html: str, member: str) -> dict[str, int]:
    row = re.search(rf'<tr [^>]*data-member="{re.escape(member)}">(.*?)</tr>', html, re.S)
    assert row, f"no scorecard row for {member}"
    return {
        key: int(value.replace(",", ""))
        for key, value in re.findall(r'data-figure="(\w+)"><strong>([\d,]+)</strong>', row.group(1))
    }


def pacing(html: str, member: str, figure: str) -> str:
    row = re.search(rf'data-pace="{re.escape(member)} {figure}">(.*?)</tr>', html, re.S)
    assert row, f"no pacing row for {member} {figure}"
    return re.sub(r"<[^>]+>", " ", row.group(1))


def test_a_managers_email_carries_the_scorecard_pacing_and_the_alerts_of_the_period(
    manager_user, seeded
):
    message = send(with_everything(manager_user))
    html = message.alternatives[0].content

    assert figures(html, PRIYA) == {
        "meetings": 1,
        "positive": 3,
        "replies": 7,
        "calls": 4,
        "connected": 1,
        "prospects_added": 0,
    }
    assert figures(html, DIEGO) == {
        "meetings": 0,
        "positive": 1,
        "replies": 4,
        "calls": 2,
        "connected": 0,
        "prospects_added": 0,
    }
    assert "Scorecard, 4 Dec – 10 Dec 2026" in html
    assert "against the 7 days before" in html
    assert "Goals pacing, December 2026" in html
    assert re.search(r"10\s+1\s+3 \(30%\)\s+behind", pacing(html, PRIYA, "meetings"))
    assert "on track" in pacing(html, PRIYA, "positive")
    assert "ahead" in pacing(html, DIEGO, "calls")
    assert "the period's 31 days" in html
    for name in ("open", "overlapping", "priya", "diego"):
        assert seeded[name].message in html
    assert seeded["old"].message not in html
    assert "4 alerts fired or stayed open in these dates." in html
    assert html.count("still open") == 3
    # The plain-text alternative says the same.
    assert "Positive replies: 3, +1 (+50%)" in message.body
    assert "meetings: 10 / 1 / 3: behind" in message.body
    assert seeded["overlapping"].message in message.body
    assert seeded["old"].message not in message.body
    # The charts are still there, as today.
    assert "cid:chart-engagement@klentyadmin" in html


def test_a_reps_email_carries_only_their_own_card_goals_and_alerts(rep_user, seeded):
    message = send(with_everything(rep_user))
    html = message.alternatives[0].content

    assert "Your scorecard" in html
    assert figures(html, PRIYA)["calls"] == 4
    assert "behind" in pacing(html, PRIYA, "meetings")
    assert seeded["priya"].message in html
    assert "1 alert fired or stayed open in these dates." in html
    for text in (html, message.body):
        assert "diego" not in text.lower()
        assert "morgan" not in text.lower()
        assert "sam.okafor" not in text
        assert seeded["open"].message not in text  # a team alert
        assert seeded["overlapping"].message not in text


def test_without_the_options_the_email_is_as_before(manager_user, seeded):
    html = send(subscribe(manager_user, time_zone="UTC")).alternatives[0].content

    assert 'data-section="scorecard"' not in html
    assert 'data-section="pacing"' not in html
    assert 'data-section="alerts"' not in html


def test_a_period_without_alerts_or_goals_says_so(manager_user, seeded):
    AlertFiring.objects.all().delete()
    Goal.objects.all().delete()

    message = send(with_everything(manager_user, pacing_period=Goal.Period.QUARTER))

    html = message.alternatives[0].content
    assert "No alert fired in these dates." in html
    assert "No goals are set for Q4 2026." in html
    assert "No alert fired in these dates." in message.body


def test_the_cockpit_reads_a_constant_number_of_queries(
    manager_user, seeded, django_assert_max_num_queries
):
    subscription = with_everything(manager_user)
    filters = emails.report_filters(subscription)
    with django_assert_max_num_queries(20):
        cockpit = email_cockpit.build(subscription, filters)
    assert len(cockpit.firings) == 4
    for n in range(30):  # more firings, more of the period's rows: the same queries
        AlertFiring.objects.create(
            rule=seeded["open"].rule, started_at=at(7), resolved_at=at(8), message=f"m{n}"
        )
        engagement(f"Cadence {n}", date(2026, 12, 7), replies=n)
        Cadence.objects.create(klenty_id=f"x{n}", name=f"Cadence {n}", owners=[DIEGO])
    with django_assert_max_num_queries(20):
        cockpit = email_cockpit.build(subscription, filters)
    assert len(cockpit.firings) == 34


SUBSCRIBE = {
    "report": "calls",
    "frequency": "weekly",
    "weekday": "0",
    "hour": "8",
    "time_zone": "UTC",
    "range": "7",
}


def test_the_form_saves_the_options(manager_client, manager_user):
    response = manager_client.post(
        reverse("reporting:emails"),
        {
            **SUBSCRIBE,
            "include_scorecard": "on",
            "include_pacing": "on",
            "pacing_period": "quarter",
            "include_alerts": "on",
        },
    )

    assert response.status_code == 302
    subscription = ReportSubscription.objects.get(user=manager_user)
    assert subscription.include_scorecard and subscription.include_pacing
    assert subscription.include_alerts
    assert subscription.pacing_period == Goal.Period.QUARTER
    page = manager_client.get(reverse("reporting:emails")).content.decode()
    assert "with the scorecard, goals pacing (quarter) and the alerts of the period" in page

    edit = reverse("reporting:edit_email", args=[subscription.pk])
    assert manager_client.post(edit, {**SUBSCRIBE, "include_alerts": "on"}).status_code == 302
    subscription.refresh_from_db()
    assert subscription.include_alerts and not subscription.include_scorecard
    assert not subscription.include_pacing


def test_a_pacing_period_that_is_not_offered_gets_a_field_error(manager_client):
    response = manager_client.post(
        reverse("reporting:emails"),
        {**SUBSCRIBE, "include_pacing": "on", "pacing_period": "fortnight"},
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'has-error">\s*<label for="id_pacing_period"', body)
    assert "Select a valid choice" in body
    assert not ReportSubscription.objects.exists()


def test_a_rep_without_a_klenty_link_cannot_ask_for_a_scorecard(db):
    client = signed_in_client(make_user("unlinked", "rep"))

    response = client.post(reverse("reporting:emails"), {**SUBSCRIBE, "include_scorecard": "on"})

    assert response.status_code == 200
    body = response.content.decode()
    assert re.search(r'has-error">\s*<label for="id_include_scorecard"', body)
    assert "not linked to a Klenty team member" in body
    assert not ReportSubscription.objects.exists()


@pytest.mark.browser
def test_a_manager_ticks_the_cockpit_options_in_the_browser(page, demo_users):
    from playwright.sync_api import expect

    from tests.fixtures.browser import sign_in

    sign_in(page, "manager", "klenty-manager")
    page.goto(reverse("reporting:emails"))
    page.get_by_label("The scorecard").check()
    page.get_by_label("Goals pacing").check()
    page.get_by_label("Pacing period").select_option("quarter")
    page.get_by_label("The alerts of the period").check()
    page.get_by_role("button", name="Subscribe").click()

    expect(page.get_by_test_id("extras")).to_have_text(
        "with the scorecard, goals pacing (quarter) and the alerts of the period"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280
