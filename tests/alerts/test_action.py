"""The proposed action: confirmed by a Manager from the notification's link, run by
the bulk engine against the sandbox over HTTP, audited, once; never silently unless
the rule says it may act automatically."""

from __future__ import annotations

import pytest
from django.urls import reverse

from alerts.evaluation import evaluate_all
from alerts.models import AlertFiring, AlertRule
from klentyadmin.core.models import AuditEntry
from klentyadmin.core.once import new_key
from prospects.models import BulkJob
from reporting.models import PullRun
from tests.alerts.helpers import engagement, rule
from tests.cadences.conftest import cache_from_sandbox

pytestmark = pytest.mark.usefixtures("no_builtins")


@pytest.fixture
def cadence_in_sandbox(sandbox):
    """A sandbox cadence with prospects in it, two of them cached as In Cadence."""
    [first] = sandbox.find_prospects(limit=1, cadence_status="In Cadence")
    name = first["cadence"]
    prospects = cache_from_sandbox(sandbox, limit=2, cadence_status="In Cadence", cadence=name)
    return name, prospects


def bounce_firing(name: str, **fields) -> AlertFiring:
    engagement(name, prospects_added=100, bounces=9)
    rule(name="Bounces", scope="each_cadence", threshold=5, action="stop_cadence", **fields)
    evaluate_all()
    return AlertFiring.objects.get(subject=name)


def test_a_manager_confirms_stop_cadence_and_the_bulk_job_stops_it_in_klenty(
    sandbox, cadence_in_sandbox, manager_client, manager_user, django_capture_on_commit_callbacks
):
    name, prospects = cadence_in_sandbox
    firing = bounce_firing(name)
    url = reverse("alerts:act", args=[firing.pk])
    page = manager_client.get(url)
    assert "its 2 active prospects" in page.content.decode()
    assert BulkJob.objects.count() == 0  # proposing runs nothing

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(url, {"once_key": new_key()})

    job = BulkJob.objects.get()
    assert response.url == reverse("prospects:job", args=[job.pk])
    job.refresh_from_db()
    assert (job.action, job.params, job.total, job.status) == (
        "stop_cadence",
        {"cadence_name": name},
        2,
        "done",
    )
    for prospect in prospects:
        assert sandbox.prospect(prospect.email)["cadence_status"] != "In Cadence"
    firing.refresh_from_db()
    assert (firing.action_job, firing.action_by) == (job, manager_user)
    audit = AuditEntry.objects.get(action="alert action: stop_cadence")
    assert (audit.target, audit.details["job"], audit.actor) == (name, job.pk, manager_user)
    history = manager_client.get(reverse("alerts:history")).content.decode()
    assert reverse("prospects:job", args=[job.pk]) in history


def test_the_action_runs_once_however_often_it_is_confirmed(
    sandbox, cadence_in_sandbox, manager_client, admin_client
):
    name, _ = cadence_in_sandbox
    firing = bounce_firing(name)
    url = reverse("alerts:act", args=[firing.pk])

    manager_client.post(url, {"once_key": new_key()})
    again = admin_client.post(url, {"once_key": new_key()})

    assert BulkJob.objects.count() == 1
    assert again.url == reverse("prospects:job", args=[BulkJob.objects.get().pk])


def test_the_action_never_runs_without_a_confirmation(sandbox, cadence_in_sandbox):
    name, _ = cadence_in_sandbox

    bounce_firing(name)

    assert BulkJob.objects.count() == 0


def test_a_rule_that_may_act_automatically_starts_the_job_as_its_manager(
    sandbox, cadence_in_sandbox, manager_user
):
    name, _ = cadence_in_sandbox

    firing = bounce_firing(name, act_automatically=True, saved_by=manager_user)

    job = BulkJob.objects.get()
    assert (firing.action_job, job.created_by, job.total) == (job, manager_user, 2)
    assert "automatically" in job.description


def test_a_rep_cannot_confirm(sandbox, cadence_in_sandbox, rep_client):
    name, _ = cadence_in_sandbox
    firing = bounce_firing(name)

    response = rep_client.post(reverse("alerts:act", args=[firing.pk]), {"once_key": new_key()})

    assert response.status_code == 403 and BulkJob.objects.count() == 0


def test_rules_are_evaluated_after_every_pull(
    sandbox, settings, django_capture_on_commit_callbacks
):
    from reporting import pulls

    settings.REPORTS_BACKFILL_DAYS = 2
    sandbox.configure(rate_limit_per_min=0)
    # Fires on any figures at all: proof that an evaluation ran.
    watcher = rule(metric="positive_replies", condition="below", threshold=10**9)

    with django_capture_on_commit_callbacks(execute=True):
        run = pulls.run_pull(PullRun.Kind.ENGAGEMENT)

    assert run.status == PullRun.Status.DONE
    assert AlertFiring.objects.filter(rule=watcher).exists()
    assert AlertRule.objects.filter(pk=watcher.pk).exists()
