"""The rules pages: create, change, delete (asking first), bad input as field errors,
Managers and Admins only, and the webhook URL never shown back."""

from __future__ import annotations

import socket

import pytest
from django.urls import reverse

import alerts
from alerts.models import AlertFiring, AlertRule
from tests.alerts.helpers import MORGAN, PRIYA, cadence, rule

GOOD = {
    "name": "Bounces on New Leads",
    "metric": "bounce_rate",
    "scope": "cadence",
    "scope_value": "New Leads",
    "condition": "above",
    "threshold": "5",
    "window_days": "7",
    "baseline_days": "28",
    "min_volume": "20",
    "email_to": "boss@northwind.example",
    "action": "stop_cadence",
    "remind_after_hours": "24",
    "enabled": "on",
}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def new_leads(db):
    return cadence("New Leads", MORGAN)


def test_a_manager_creates_a_rule_with_a_webhook_never_shown_back(
    manager_client, manager_user, new_leads, receiver
):
    response = manager_client.post(reverse("alerts:create"), {**GOOD, "slack_url": receiver.url})

    assert response.status_code == 302
    saved = AlertRule.objects.get(name="Bounces on New Leads")
    assert (saved.saved_by, saved.slack_url(), saved.action) == (
        manager_user,
        receiver.url,
        "stop_cadence",
    )
    listing = manager_client.get(reverse("alerts:rules")).content.decode()
    edit = manager_client.get(reverse("alerts:edit", args=[saved.pk])).content.decode()
    for body in (listing, edit):
        assert "secretpart1234" not in body and "…1234" in body
    assert "Bounce rate above 5% over 7 days, one cadence: New Leads" in listing


def test_editing_without_a_url_keeps_the_stored_one(manager_client, new_leads, receiver):
    r = rule(name="Old")
    r.set_slack_url(receiver.url)
    r.save()

    manager_client.post(reverse("alerts:edit", args=[r.pk]), {**GOOD, "name": "New"})

    r.refresh_from_db()
    assert (r.name, r.slack_url()) == ("New", receiver.url)


@pytest.mark.parametrize(
    ("change", "field", "words"),
    [
        ({"threshold": "-1"}, "threshold", "cannot be negative"),
        ({"window_days": "0"}, "window_days", "1 to 365 days"),
        ({"window_days": "9999"}, "window_days", "1 to 365 days"),
        ({"threshold": "150"}, "threshold", "at most 100%"),
        ({"threshold": "abc"}, "threshold", "Enter a number"),
        ({"scope_value": "No Such Cadence"}, "scope_value", "No cadence is called"),
        ({"scope": "rep", "scope_value": "not-an-email"}, "scope_value", "Klenty email"),
        ({"scope": "team"}, "action", "needs a rule about one cadence"),
        ({"action": "", "act_automatically": "on"}, "act_automatically", "Choose the action"),
        ({"email_to": "boss@ nobody"}, "email_to", "is not an email address"),
        ({"slack_url": "not a url"}, "slack_url", "http:// or https://"),
        ({"slack_url": "ftp://hooks.example/x"}, "slack_url", "http:// or https://"),
        ({"metric": "sync_health", "action": ""}, "scope", "whole team"),
    ],
)
def test_impossible_rules_get_field_errors(manager_client, new_leads, change, field, words):
    response = manager_client.post(reverse("alerts:create"), {**GOOD, **change})

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert field in errors and words in " ".join(errors[field]), errors
    assert not AlertRule.objects.filter(name=GOOD["name"]).exists()


def test_an_unreachable_webhook_url_is_a_field_error(manager_client, new_leads):
    url = f"http://127.0.0.1:{closed_port()}/services/x"

    response = manager_client.post(reverse("alerts:create"), {**GOOD, "slack_url": url})

    assert response.status_code == 400
    assert "Nothing answers at 127.0.0.1" in response.context["form"].errors["slack_url"][0]


def test_an_internal_webhook_host_is_refused_unless_allowed(
    manager_client, new_leads, receiver, settings
):
    settings.WEBHOOK_ALLOW_PRIVATE_TARGETS = False

    response = manager_client.post(
        reverse("alerts:create"), {**GOOD, "slack_url": receiver.url.replace("http", "https")}
    )

    assert response.status_code == 400
    assert "loopback address" in response.context["form"].errors["slack_url"][0]


def test_deleting_asks_first(manager_client, db):
    r = rule(name="Doomed")
    url = reverse("alerts:delete", args=[r.pk])

    asked = manager_client.post(url)
    assert asked.status_code == 200 and "Delete the rule “Doomed”?" in asked.content.decode()
    assert AlertRule.objects.filter(pk=r.pk).exists()

    manager_client.post(url, {"confirmed": "yes"})
    assert not AlertRule.objects.filter(pk=r.pk).exists()


@pytest.mark.parametrize("name", ["alerts:rules", "alerts:history", "alerts:create"])
def test_reps_are_refused_the_alerts_pages(rep_client, name):
    assert rep_client.get(reverse(name)).status_code == 403


def test_snoozing_needs_a_time_in_the_future(manager_client, db):
    firing = AlertFiring.objects.create(rule=rule(), message="x")
    url = reverse("alerts:snooze", args=[firing.pk])

    manager_client.post(url, {"until": "2001-01-01T10:00"})
    firing.refresh_from_db()
    assert firing.snoozed_until is None

    manager_client.post(url, {"until": "2099-01-01T10:00"})
    firing.refresh_from_db()
    assert firing.snoozed_until.year == 2099


def test_firing_for_shows_managers_everything_and_a_rep_only_their_own(
    manager_user, rep_user, other_rep_user
):
    team = AlertFiring.objects.create(rule=rule(name="team"), message="team")
    mine = AlertFiring.objects.create(
        rule=rule(name="reps", scope="each_rep"), subject=PRIYA, subject_kind="rep", message="p"
    )
    AlertFiring.objects.create(
        rule=rule(name="reps2", scope="each_rep"),
        subject="diego.alvarez@northwind.example",
        subject_kind="rep",
        message="d",
    )
    resolved = AlertFiring.objects.create(rule=rule(name="old"), message="old")
    resolved.resolved_at = resolved.started_at
    resolved.save()

    assert {f.message for f in alerts.firing_for(manager_user)} == {"team", "p", "d"}
    assert alerts.firing_for(rep_user) == [mine]
    assert team not in alerts.firing_for(other_rep_user)


def test_history_queries_do_not_grow_with_the_firings(
    manager_client, django_assert_max_num_queries
):
    r = rule()
    for n in range(20):
        f = AlertFiring.objects.create(rule=r, subject=f"c{n}", message=f"m{n}")
        f.notifications.create(kind="fired", channel="email", text="t", status="sent")

    with django_assert_max_num_queries(12):
        response = manager_client.get(reverse("alerts:history"))

    assert response.content.decode().count('data-testid="firing"') == 20
