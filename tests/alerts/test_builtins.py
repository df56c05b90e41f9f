"""The built-in rules: made by a migration, and each one firing on what it watches."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from alerts.evaluation import evaluate_all
from alerts.models import AlertFiring, AlertRule
from cadences.models import Event
from prospects.models import Prospect, SyncRun
from reporting.models import PullRun
from tests.alerts.helpers import engagement


def open_firings(builtin: str) -> list[AlertFiring]:
    return list(AlertFiring.objects.open().filter(rule__builtin=builtin))


@pytest.mark.django_db
def test_the_migration_makes_the_five_built_in_rules():
    assert set(AlertRule.objects.values_list("builtin", flat=True)) == {
        "bounce_2",
        "bounce_5",
        "reply_drop",
        "webhook_silence",
        "sync_health",
    }
    assert not AlertRule.objects.filter(act_automatically=True).exists()


@pytest.mark.django_db
def test_bounces_over_2_and_5_percent_fire_per_cadence_and_5_proposes_stopping_it():
    engagement("New Leads", prospects_added=100, bounces=3)
    engagement("Webinar", prospects_added=100, bounces=7)

    evaluate_all()

    assert sorted(f.subject for f in open_firings("bounce_2")) == ["New Leads", "Webinar"]
    [five] = open_firings("bounce_5")
    assert (five.subject, five.can_act) == ("Webinar", True)


@pytest.mark.django_db
def test_reply_rate_down_more_than_3_points_fires_for_the_team():
    engagement("New Leads", days_ago=8, prospects_added=100, replies=10)
    engagement("New Leads", days_ago=0, prospects_added=100, replies=6)

    evaluate_all()

    assert [f.subject for f in open_firings("reply_drop")] == [""]


@pytest.mark.django_db
def test_webhook_silence_fires_only_while_cadences_run():
    Event.objects.create(
        raw_body="{}",
        event_type="open",
        email="a@x.example",
        received_at=timezone.now() - timedelta(hours=30),
    )
    evaluate_all()
    assert open_firings("webhook_silence") == []  # nobody in a cadence

    Prospect.objects.create(email="a@x.example", cadence_status="In Cadence")
    evaluate_all()
    assert len(open_firings("webhook_silence")) == 1

    Event.objects.create(raw_body="{}", event_type="reply", email="a@x.example")
    evaluate_all()
    assert open_firings("webhook_silence") == []


@pytest.mark.django_db
def test_a_failed_pull_or_a_stale_sync_fires_once_each():
    now = timezone.now()
    PullRun.objects.create(kind="calls", status="failed", finished_at=now)
    SyncRun.objects.create(kind="incremental", status="done", finished_at=now - timedelta(hours=30))
    PullRun.objects.create(kind="engagement", status="done", finished_at=now)

    evaluate_all()

    assert sorted(f.subject for f in open_firings("sync_health")) == [
        "calls pull",
        "incremental prospect sync",
    ]
