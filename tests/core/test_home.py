"""Home is the cockpit; the plumbing it used to show (connection, prospect cache,
worker) is on the System page, for Admins."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone
from django_q.models import Success

from klentyadmin.core import attention, background
from klentyadmin.core.status import HEARTBEAT_FUNC


def test_the_system_page_says_the_worker_has_not_been_seen(admin_client):
    body = admin_client.get(reverse("system")).content.decode()

    assert "not seen yet" in body


def test_the_system_page_shows_a_running_worker_from_its_heartbeat(admin_client):
    now = timezone.now()
    Success.objects.create(
        id="a" * 32, name="hb", func=HEARTBEAT_FUNC, started=now, stopped=now, success=True
    )

    body = admin_client.get(reverse("system")).content.decode()

    assert "running" in body


def test_the_system_page_is_for_admins_only(manager_client, rep_client):
    assert manager_client.get(reverse("system")).status_code == 403
    assert rep_client.get(reverse("system")).status_code == 403


def test_home_no_longer_shows_the_plumbing(manager_client):
    body = manager_client.get(reverse("home")).content.decode()

    assert 'id="connection"' not in body and 'id="worker"' not in body
    assert reverse("prospects:sync_status") in body  # only as the stale-sync line's link
    assert reverse("system") not in body  # a Manager has no System page


def test_an_admins_home_says_the_worker_is_missing_and_links_to_system(admin_client):
    body = admin_client.get(reverse("home")).content.decode()

    assert "The background worker is not seen yet" in body
    assert f'href="{reverse("system")}"' in body


def test_a_stale_sync_and_missing_pulls_need_attention(manager_client):
    body = manager_client.get(reverse("home")).content.decode()

    assert "No prospect sync has finished yet" in body
    assert "The calls pull has not finished yet" in body


def test_an_app_registers_its_own_attention_lines(manager_client, monkeypatch):
    monkeypatch.setattr(attention, "PROVIDERS", list(attention.PROVIDERS))

    @attention.provider
    def alerts_firing(user):
        return [attention.Item("Bounce rate over 5% for Priya", url="/alerts/1/", source="alert")]

    body = manager_client.get(reverse("home")).content.decode()

    assert "Bounce rate over 5% for Priya" in body
    assert 'data-testid="alert"' in body


def test_home_page_query_count_is_constant(manager_client, django_assert_max_num_queries):
    # One query per kind of background work for its failed runs (Home's failures), three
    # for the numbers, one each for the stale sync and pulls.
    with django_assert_max_num_queries(10 + len(background.KINDS)):
        manager_client.get(reverse("home"))


def finished_pull(kind: str, ago: timedelta) -> None:
    from reporting.models import PullRun

    PullRun.objects.create(kind=kind, status=PullRun.Status.DONE, finished_at=timezone.now() - ago)


def test_a_pull_that_finished_within_three_intervals_is_not_listed_and_an_older_one_is(
    manager_client,
):
    finished_pull("engagement", timedelta(minutes=30))  # every 60 minutes
    finished_pull("stepwise", timedelta(hours=2))  # every 6 hours
    finished_pull("calls", timedelta(hours=2))  # every 30 minutes: stale after 90

    body = manager_client.get(reverse("home")).content.decode()

    assert "email engagement pull" not in body and "step-wise engagement pull" not in body
    assert "The calls pull last finished 2\xa0hours ago: its figures are behind." in body
