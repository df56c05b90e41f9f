"""Every event name either vendor sends is shown as a person reads it."""

from __future__ import annotations

import re

import pytest

from cadences.forms import FeedFilterForm
from klentyadmin.integrations.klenty.types import WEBHOOK_EVENT_LABELS, WEBHOOK_EVENTS
from klentyadmin.integrations.snov.types import WEBHOOK_EVENT_LABELS as SNOV_LABELS
from klentyadmin.integrations.snov.types import WEBHOOK_OBJECTS
from klentyadmin.lib.event_labels import event_label
from tests.cadences.test_feed import FEED, PRIYA, event, latest_events_html

API_NAME = re.compile(r"[a-z][A-Z]|[._]")  # camelCase or a dotted/underscored name


def snov_events() -> list[str]:
    return [f"{obj}.{action}" for obj, actions in WEBHOOK_OBJECTS.items() for action in actions]


def test_every_klenty_and_snov_event_has_a_label():
    assert set(WEBHOOK_EVENT_LABELS) == set(WEBHOOK_EVENTS)
    assert set(SNOV_LABELS) == set(snov_events())


@pytest.mark.parametrize("name", [*WEBHOOK_EVENTS, *snov_events()])
def test_each_label_is_plain_words(name):
    label = event_label(name)
    assert label[0].isupper()
    assert not API_NAME.search(label), label


def test_known_names_read_as_the_issue_asks():
    assert event_label("completeCadence") == "Cadence completed"
    assert event_label("onMailBounce") == "Email bounced"
    assert event_label("open") == "Email opened"
    assert event_label("COMPLETECADENCE") == "Cadence completed"  # Klenty lower-cases some


def test_an_unknown_name_is_split_into_words():
    assert event_label("onMailSync") == "On mail sync"
    assert event_label("campaign_email.clicked") == "Campaign email clicked"
    assert event_label("") == "Unnamed event"


def test_the_feed_and_its_filter_show_labels_not_api_names(manager_client, db):
    event("completeCadence", email="done@x.example")
    event("onMailBounce", email="bounced@x.example")

    html = manager_client.get(FEED).content.decode()

    assert ">Cadence completed</span>" in html
    assert ">Email bounced</span>" in html
    assert ">completeCadence<" not in html
    assert ">onMailBounce<" not in html
    assert dict(FeedFilterForm().fields["type"].choices)["sendProspect"] == (
        "Email sent to the prospect"
    )


def test_homes_latest_events_show_labels(manager_user, db):
    event("completeCadence", email="done@x.example", owner=PRIYA)

    html = latest_events_html(manager_user)

    assert ">Cadence completed</span>" in html
    assert ">completeCadence<" not in html


def test_a_refused_webhook_event_lists_the_choices_in_words():
    from cadences.forms import WebhookForm

    form = WebhookForm({"event": "bounce", "url": ""})

    assert not form.is_valid()
    [message] = form.errors["event"]
    assert "Email bounced" in message and "Cadence completed" in message
    assert "onMailBounce" not in message and "completeCadence" not in message
