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
