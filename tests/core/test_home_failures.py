"""Home's "Recent failures": failed runs of every kind and django-q2's failed tasks,
merged newest first, each one line people can read."""

from __future__ import annotations

from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from contacts.models import Transfer
from enrichment.models import VerificationRun
from klentyadmin.core import background, status
from reporting import emails
from reporting.models import ReportDelivery, ReportSubscription
from tests.core.test_failures import ROOT, assert_readable, fail_in_worker

TRACEBACK_ERROR = (
    "Stopped by an error: Klenty said no. Traceback (most recent call last):\n"
    f'  File "{ROOT}/contacts/transfers.py", line 250, in process_item\n'
    "    raise ApiError(...)\n"
    "klentyadmin.integrations.http.ApiError: Klenty said no."
)


def failed_push(user, error="The CRM refused the API key.", finished_at=None) -> Transfer:
    return Transfer.objects.create(
        direction=Transfer.Direction.TO_CRM,
        created_by=user,
        status=Transfer.Status.FAILED,
        error=error,
        finished_at=finished_at or timezone.now(),
    )


def home(client) -> str:
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_a_delivery_whose_subscription_was_deleted_is_one_line_on_home(
    manager_client, manager_user
):
    subscription = ReportSubscription.objects.create(
        user=manager_user,
        frequency=ReportSubscription.Frequency.WEEKLY,
        unsubscribe_token=emails.new_token(),
    )
    delivery = emails.new_delivery(subscription, scheduled_for=timezone.now(), is_test=True)
    subscription.delete()

    assert background.run("report_email", delivery.pk) == "failed"  # the real runner

    body = home(manager_client)
    assert (
        "The weekly email engagement report email for morgan could not be sent: "
        "the subscription was deleted."
    ) in body
    assert_readable(body)


def test_a_delivery_that_may_have_been_sent_is_listed(manager_client, manager_user):
    ReportDelivery.objects.create(
        user=manager_user,
        label="The daily calls report email for morgan",
        scheduled_for=timezone.now(),
        status=ReportDelivery.Status.UNKNOWN,
        error=emails.OUTCOME_UNKNOWN,
        finished_at=timezone.now(),
    )

    body = home(manager_client)

    assert "The daily calls report email for morgan may not have been sent: the worker" in body


def test_a_failed_crm_push_links_to_its_page(manager_client, rep_user):
    push = failed_push(rep_user)

    body = home(manager_client)

    assert "CRM push " + str(push.pk) + " stopped: The CRM refused the API key." in body
    assert f'href="{reverse("contacts:transfer", args=[push.pk])}"' in body
    assert_readable(body)


def test_a_run_error_with_a_traceback_shows_its_reason_only(manager_client, manager_user):
    push = failed_push(manager_user, error=TRACEBACK_ERROR)

    body = home(manager_client)

    assert f"CRM push {push.pk} stopped: Stopped by an error: Klenty said no." in body
    assert_readable(body)


def test_runs_and_tasks_are_merged_newest_first(monkeypatch, manager_client, manager_user):
    task = fail_in_worker(
        monkeypatch, "klentyadmin.core.tasks.heartbeat", (), RuntimeError("Disk full.")
    )
    older = failed_push(manager_user, finished_at=task.stopped - timedelta(hours=1))
    newer = VerificationRun.objects.create(
        created_by=manager_user,
        status=VerificationRun.Status.FAILED,
        error="Snov.io refused the API key.",
        finished_at=task.stopped + timedelta(minutes=1),
    )

    lines = [line.line for line in status.recent_failures(manager_user)]

    assert lines == [
        f"Snov.io verification run {newer.pk} stopped: Snov.io refused the API key.",
        "The worker heartbeat failed: Disk full.",
        f"CRM push {older.pk} stopped: The CRM refused the API key.",
    ]


def test_old_failed_runs_are_not_listed(manager_client, manager_user):
    failed_push(manager_user, finished_at=timezone.now() - timedelta(days=8))

    assert "Recent failures" not in home(manager_client)


def test_a_run_whose_task_also_failed_is_told_once_with_its_details(
    monkeypatch, admin_client, admin_user
):
    push = failed_push(admin_user, error="Stopped by an error: Klenty said no.")
    task = fail_in_worker(
        monkeypatch,
        "klentyadmin.core.background.runner.run",
        ("crm_push", push.pk),
        RuntimeError("Klenty said no."),
    )

    body = home(admin_client)

    assert body.count(f"CRM push {push.pk} stopped") == 1
    assert f'href="{reverse("contacts:transfer", args=[push.pk])}"' in body
    assert f'href="{reverse("failure_detail", args=[task.pk])}"' in body


def test_a_rep_sees_their_own_failed_run_and_not_anothers(
    monkeypatch, rep_client, rep_user, other_rep_user
):
    own = failed_push(rep_user)
    theirs = failed_push(other_rep_user, error="Not yours.")
    fail_in_worker(monkeypatch, "klentyadmin.core.tasks.heartbeat", (), RuntimeError("Disk full."))

    body = home(rep_client)

    assert f"CRM push {own.pk} stopped: The CRM refused the API key." in body
    assert f'href="{reverse("contacts:transfer", args=[own.pk])}"' in body
    assert f"CRM push {theirs.pk}" not in body and "Not yours" not in body
    assert "heartbeat" not in body  # no team-wide task failures for a Rep
    assert_readable(body)


def test_homes_queries_do_not_grow_with_the_failed_runs(manager_client, manager_user):
    def failed_runs_of_every_kind(count: int) -> None:
        for _ in range(count):
            failed_push(manager_user)
            VerificationRun.objects.create(
                created_by=manager_user,
                status=VerificationRun.Status.FAILED,
                error="Snov.io refused the API key.",
                finished_at=timezone.now(),
            )
            subscription = ReportSubscription.objects.create(
                user=manager_user, unsubscribe_token=emails.new_token()
            )
            ReportDelivery.objects.create(
                subscription=subscription,
                user=manager_user,
                scheduled_for=timezone.now(),
                status=ReportDelivery.Status.FAILED,
                error="Attempt 3: Connection refused",
                finished_at=timezone.now(),
            )

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            home(manager_client)
        return len(captured)

    failed_runs_of_every_kind(1)
    few = queries()
    failed_runs_of_every_kind(12)
    many = queries()

    assert many == few
    assert home(manager_client).count('data-testid="failure"') == status.RECENT_FAILURES
