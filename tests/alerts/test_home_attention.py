"""Alerts firing are on Home's "Needs attention", as each viewer may know of them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alerts.models import AlertFiring
from tests.alerts.helpers import rule

pytestmark = pytest.mark.django_db
PRIYA = "priya.natarajan@northwind.example"


def attention_lines(client) -> list[str]:
    return [item.text for item in client.get(reverse("home")).context["attention"]]


def test_a_manager_sees_every_open_firing_on_home_linked_to_the_history(manager_client):
    AlertFiring.objects.create(rule=rule(name="team"), message="Team bounce rate 6% (over 5%)")
    done = AlertFiring.objects.create(rule=rule(name="old"), message="Resolved long ago")
    done.resolved_at = done.started_at
    done.save()

    home = manager_client.get(reverse("home"))

    lines = [item for item in home.context["attention"] if item.source == "alert"]
    assert [item.text for item in lines] == ["Team bounce rate 6% (over 5%)"]
    assert lines[0].url == reverse("alerts:history")
    assert 'data-testid="alert"' in home.content.decode()


def test_a_rep_sees_only_firings_about_themselves_without_a_link_they_may_not_open(rep_client):
    AlertFiring.objects.create(rule=rule(name="team"), message="Team reply rate down")
    AlertFiring.objects.create(
        rule=rule(name="reps", scope="each_rep"),
        subject=PRIYA,
        subject_kind="rep",
        message="Your bounce rate is 3%",
    )

    items = [i for i in rep_client.get(reverse("home")).context["attention"] if i.source == "alert"]

    assert [(i.text, i.url) for i in items] == [("Your bounce rate is 3%", None)]
