from __future__ import annotations

import itertools

from django.template import Context, Template
from django.test import RequestFactory
from django.urls import reverse

from cadences.models import Event
from tests.cadences.conftest import make_prospect

MORGAN = "morgan.hale@northwind.example"
PRIYA = "priya.natarajan@northwind.example"
FEED = reverse("cadences:feed")
_serial = itertools.count()


def event(kind="open", email="ada@x.example", owner=PRIYA, cadence="New Leads", **fields):
    return Event.objects.create(
        identity=str(next(_serial)),
        raw_body="{}",
        event_type=kind,
        email=email,
        prospect_owner=owner,
        cadence_name=cadence,
        **fields,
    )


def latest_events_html(user) -> str:
    """Home's latest-events card, as `user` sees it."""
    request = RequestFactory().get("/")
    request.user = user
    return Template("{% load cadence_events %}{% latest_events %}").render(
        Context({"request": request})
    )


def test_the_feed_shows_the_newest_events_first(manager_client, db):
    event("open", email="first@x.example")
    event("reply", email="second@x.example")

    response = manager_client.get(FEED)

    html = response.content.decode()
    assert html.index("second@x.example") < html.index("first@x.example")
    assert 'hx-trigger="every 2s"' in html


def test_the_feed_polls_a_fragment_with_its_filters(manager_client, db):
    event("open", email="opened@x.example")
    event("reply", email="replied@x.example")

    response = manager_client.get(FEED, {"type": "reply"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert "<html" not in html
    assert 'id="feed"' in html
    assert "type=reply" in html
    assert "replied@x.example" in html
    assert "opened@x.example" not in html


def test_the_feed_filters_by_cadence_and_owner(manager_client, db):
    event(email="a@x.example", cadence="New Leads", owner=PRIYA)
    event(email="b@x.example", cadence="Nurture", owner=PRIYA)
    event(email="c@x.example", cadence="New Leads", owner=MORGAN)

    by_cadence = manager_client.get(FEED, {"cadence": "New Leads"}).context["events"]
    by_owner = manager_client.get(FEED, {"owner": MORGAN}).context["events"]

    assert sorted(e.email for e in by_cadence) == ["a@x.example", "c@x.example"]
    assert [e.email for e in by_owner] == ["c@x.example"]


def test_an_unknown_type_filter_is_ignored(manager_client, db):
    event()

    assert len(manager_client.get(FEED, {"type": "nonsense"}).context["events"]) == 1


def test_a_rep_sees_events_for_their_own_prospects_only(rep_client, db):
    event(email="by-owner-field@x.example", owner=PRIYA)
    mine = make_prospect("cached-mine@x.example", PRIYA)
    event(email=mine.email, owner="", prospect=mine)
    event(email="not-mine@x.example", owner=MORGAN)

    response = rep_client.get(FEED)

    emails = sorted(e.email for e in response.context["events"])
    assert emails == ["by-owner-field@x.example", "cached-mine@x.example"]
    assert b'id="f-owner"' not in response.content


def test_the_feed_costs_a_fixed_number_of_queries(
    manager_client, db, django_assert_max_num_queries
):
    for i in range(80):
        event(email=f"p{i}@x.example", prospect=make_prospect(f"p{i}@x.example", PRIYA))

    with django_assert_max_num_queries(10):
        manager_client.get(FEED)
    with django_assert_max_num_queries(8):
        manager_client.get(FEED, headers={"HX-Request": "true"})


def test_the_prospect_events_tag_lists_that_prospects_events(db):
    prospect = make_prospect("ada@x.example", PRIYA)
    event("reply", email="ada@x.example", prospect=prospect)
    event("open", email="ada@x.example")  # arrived before the prospect was cached
    event("click", email="someone@x.example")

    html = Template("{% load cadence_events %}{% prospect_events prospect %}").render(
        Context({"prospect": prospect})
    )

    assert html.count("data-event-type=") == 2
    assert "someone@x.example" not in html


def test_the_latest_events_tag_is_scoped_to_the_user(rep_user, db):
    event(email="mine@x.example", owner=PRIYA)
    event(email="theirs@x.example", owner=MORGAN)

    html = latest_events_html(rep_user)

    assert "mine@x.example" in html
    assert "theirs@x.example" not in html


def test_a_manager_switches_the_sandboxs_simulated_activity_on_and_off(manager_client, sandbox):
    from cadences.models import WebhookSubscription
    from klentyadmin.integrations.klenty import WEBHOOK_EVENTS

    page = manager_client.get(FEED)
    assert page.context["simulating"] is False

    manager_client.post(reverse("cadences:simulate"), {"on": "1"})

    assert sandbox.configure()["simulate_activity"] is True
    assert WebhookSubscription.objects.count() == len(WEBHOOK_EVENTS)
    assert manager_client.get(FEED).context["simulating"] is True

    manager_client.post(reverse("cadences:simulate"), {"on": "0"})

    assert sandbox.configure()["simulate_activity"] is False


def test_reps_cannot_switch_simulated_activity(rep_client, sandbox):
    assert rep_client.post(reverse("cadences:simulate"), {"on": "1"}).status_code == 403
    assert "simulating" not in rep_client.get(FEED).context
