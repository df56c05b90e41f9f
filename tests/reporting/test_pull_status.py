"""The pulls' status page and "Refresh now"."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from klentyadmin.core.schedules import ensure_schedules
from reporting.models import PullRun

pytestmark = pytest.mark.django_db

URL = reverse("reporting:pulls")


def test_every_pull_shows_its_last_run_next_run_and_errors(rep_client):
    ensure_schedules()
    PullRun.objects.create(
        kind=PullRun.Kind.CALLS,
        status=PullRun.Status.PARTIAL,
        finished_at=timezone.now(),
        rows=42,
        requests=7,
        errors="Calls of sam.okafor@northwind.example: Klenty is not answering right now.",
    )

    response = rep_client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    for label in ("Email engagement", "Step-wise engagement", "Calls"):
        assert label in html
    assert "Klenty is not answering right now" in html
    rows = {row["kind"]: row for row in response.context["pulls"]}
    assert rows["calls"]["last"].rows == 42
    assert rows["engagement"]["last"] is None
    assert all(row["next_run"] is not None for row in rows.values())
    assert "Refresh now" not in html  # Reps read only


def test_a_rep_cannot_refresh(rep_client):
    assert rep_client.post(reverse("reporting:refresh")).status_code == 403
    assert not PullRun.objects.exists()


def test_refresh_now_queues_the_pull_for_a_manager(
    manager_client, klenty, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("reporting:refresh"), {"kind": "calls"})

    assert response.status_code == 302
    run = PullRun.objects.get()
    assert run.kind == PullRun.Kind.CALLS
    assert run.status == PullRun.Status.DONE  # django-q2 runs it inline in tests
    assert run.triggered_by.username == "morgan"


def test_a_running_pull_is_not_started_twice(manager_client, db):
    PullRun.objects.create(kind=PullRun.Kind.STEPWISE)

    manager_client.post(reverse("reporting:refresh"), {"kind": "stepwise"})

    assert PullRun.objects.count() == 1


def test_schedules_exist_once_each(db):
    from django_q.models import Schedule

    ensure_schedules()
    ensure_schedules()

    names = list(
        Schedule.objects.filter(name__startswith="reports:").values_list("name", flat=True)
    )
    assert sorted(names) == sorted(set(names))
    assert "reports: send emails" in names


def test_managers_reach_snov_campaigns_from_the_reports_and_reps_do_not(
    client, manager_user, rep_user
):
    campaigns = reverse("enrichment:campaigns")

    client.force_login(manager_user)
    assert campaigns in client.get(reverse("reporting:dashboard")).content.decode()
    client.force_login(rep_user)
    assert campaigns not in client.get(reverse("reporting:dashboard")).content.decode()


def test_a_pull_under_way_shows_its_progress_polled_until_it_is_finished(rep_client):
    from reporting.models import PullItem

    run = PullRun.objects.create(kind=PullRun.Kind.CALLS, status=PullRun.Status.RUNNING, total=3)
    day = timezone.now().date()
    for member, state in (
        ("a@x.example", "done"),
        ("b@x.example", "failed"),
        ("c@x.example", "pending"),
    ):
        PullItem.objects.create(run=run, member=member, day=day, state=state)
    progress_url = reverse("reporting:pull_progress", args=[run.pk])

    page = rep_client.get(URL).content.decode()
    polled = rep_client.get(progress_url, headers={"HX-Request": "true"})

    assert f'hx-get="{progress_url}"' in page
    assert polled.status_code == 200
    assert polled.context["progress"].fetched == 1 and polled.context["progress"].pending == 1
    assert "Members fetched" in polled.content.decode()
    PullRun.objects.filter(pk=run.pk).update(status=PullRun.Status.PARTIAL)
    finished = rep_client.get(progress_url, headers={"HX-Request": "true"})
    assert finished.status_code == 286  # htmx stops polling
    assert "hx-get" not in finished.content.decode()


def test_a_queued_pull_reads_nought_percent(rep_client):
    PullRun.objects.create(kind=PullRun.Kind.ENGAGEMENT)

    html = rep_client.get(URL).content.decode()

    assert 'data-testid="pull-percent">0%' in html
