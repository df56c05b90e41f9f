"""Background failures on Home: one readable line each; the traceback for Admins only."""

from __future__ import annotations

import pydoc
import re
import smtplib
from multiprocessing import Queue, Value
from pathlib import Path

import pytest
from django.db import DatabaseError
from django.urls import reverse
from django.utils import timezone
from django_q.humanhash import uuid
from django_q.models import Failure
from django_q.monitor import monitor
from django_q.worker import worker

from klentyadmin.core import failures
from klentyadmin.core.schedules import SCHEDULES
from reporting import emails
from reporting.models import ReportSubscription

ROOT = Path(__file__).resolve().parents[2]
APPS = ["klentyadmin", "prospects", "reporting", "cadences", "contacts", "enrichment", "alerts"]
QUEUED = re.compile(r"""async_task\(\s*["']([\w.]+)["']""")


def fail_in_worker(monkeypatch, func: str, args: tuple, exc: BaseException) -> Failure:
    """`func(*args)` raising `exc`, run by django-q2's own worker and saved by its own
    monitor, so the Failure row (and its traceback) is what a real cluster writes."""
    module_path, name = func.rsplit(".", 1)

    def raising(*_args, **_kwargs):
        raise exc

    monkeypatch.setattr(pydoc.locate(module_path), name, raising)
    task_name, task_id = uuid()
    tasks, results = Queue(), Queue()
    tasks.put(
        {
            "id": task_id,
            "name": task_name,
            "func": func,
            "args": args,
            "kwargs": {},
            "started": timezone.now(),
        }
    )
    tasks.put("STOP")
    worker(tasks, results, Value("f", -1))
    results.put("STOP")
    monitor(results)
    return Failure.objects.get(pk=task_id)


def assert_readable(body: str) -> None:
    """No traceback on the page, and no file named in the failures list."""
    assert "Traceback" not in body
    assert 'File "' not in body and str(ROOT) not in body
    listed = re.search(r"<h3>Recent failures</h3>(.*?)</ul>", body, re.S)
    # The words, not the markup: a run's line links to its page.
    words = listed and re.sub(r"<[^>]*>", "", listed[1])
    assert listed and ".py" not in words and "/" not in words


# -- the registry -----------------------------------------------------------------------


def queued_task_functions() -> set[str]:
    """Every task function the code queues or schedules."""
    found = {item.func for item in SCHEDULES}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts and "sandbox" not in path.parts:
                found |= set(QUEUED.findall(path.read_text()))
    return found


def test_every_queued_or_scheduled_task_has_a_readable_label():
    missing = queued_task_functions() - set(failures.TASKS)

    assert not missing, f"add these to klentyadmin.core.failures.TASKS: {sorted(missing)}"


def test_every_label_names_a_task_function_that_exists():
    assert [func for func in failures.TASKS if pydoc.locate(func) is None] == []


# -- what a Manager reads -------------------------------------------------------------------


@pytest.mark.parametrize("func", sorted(failures.TASKS))
def test_a_failure_of_each_kind_is_one_readable_line_for_a_manager(
    monkeypatch, manager_client, func
):
    failure = fail_in_worker(
        monkeypatch, func, (12,), RuntimeError("Klenty did not answer in time.")
    )
    assert "Traceback" in failure.result  # what django-q2 stored

    body = manager_client.get(reverse("home")).content.decode()

    headline = failures.TASKS[func].headline((12,))
    label = failures.TASKS[func]
    assert f"{headline} {label.failed}: Klenty did not answer in time." in body
    assert_readable(body)
    assert reverse("failure_detail", args=[failure.pk]) not in body


def test_a_report_email_whose_subscription_was_deleted_says_so(monkeypatch, manager_client):
    fail_in_worker(
        monkeypatch,
        "reporting.emails.deliver",
        (41,),
        DatabaseError("Save with update_fields did not affect any rows."),
    )

    body = manager_client.get(reverse("home")).content.decode()

    assert "A report email could not be sent: the subscription was deleted." in body
    assert_readable(body)


def test_a_report_email_names_its_subscription_while_it_exists(
    monkeypatch, manager_client, manager_user
):
    subscription = ReportSubscription.objects.create(
        user=manager_user,
        frequency=ReportSubscription.Frequency.WEEKLY,
        unsubscribe_token=emails.new_token(),
    )
    delivery = subscription.deliveries.create(scheduled_for=timezone.now())
    fail_in_worker(
        monkeypatch,
        "reporting.emails.deliver",
        (delivery.pk,),
        smtplib.SMTPAuthenticationError(535, b"5.7.8 Username and Password not accepted"),
    )

    body = manager_client.get(reverse("home")).content.decode()

    assert (
        "The weekly email engagement report email for morgan could not be sent: "
        "the mail server answered 535: 5.7.8 Username and Password not accepted."
    ) in body


def test_a_report_email_whose_subscription_is_gone_is_still_named(
    monkeypatch, manager_client, manager_user
):
    subscription = ReportSubscription.objects.create(
        user=manager_user, unsubscribe_token=emails.new_token()
    )
    delivery = emails.new_delivery(subscription, scheduled_for=timezone.now())
    subscription.delete()  # the delivery stays, its link emptied
    fail_in_worker(
        monkeypatch, "reporting.emails.deliver", (delivery.pk,), RuntimeError("Out of memory.")
    )

    body = manager_client.get(reverse("home")).content.decode()

    assert (
        "The weekly email engagement report email for morgan could not be sent: Out of memory."
    ) in body
    assert_readable(body)


def test_a_runner_failure_is_named_by_its_kind_while_the_run_exists(
    monkeypatch, manager_client, manager_user
):
    subscription = ReportSubscription.objects.create(
        user=manager_user, unsubscribe_token=emails.new_token()
    )
    delivery = emails.new_delivery(subscription, scheduled_for=timezone.now())
    fail_in_worker(
        monkeypatch,
        "klentyadmin.core.background.runner.run",
        ("report_email", delivery.pk),
        RuntimeError("Out of memory."),
    )

    body = manager_client.get(reverse("home")).content.decode()

    assert "The weekly email engagement report email for morgan stopped: Out of memory." in body
    assert_readable(body)


def test_an_unknown_task_gets_a_generic_line_without_the_path_in_its_message(
    monkeypatch, manager_client
):
    fail_in_worker(
        monkeypatch,
        "klentyadmin.core.tasks.heartbeat",
        (),
        FileNotFoundError(2, "No such file or directory", f"{ROOT}/var/report.png"),
    )
    Failure.objects.update(func="reporting.old_module.send_things")

    body = manager_client.get(reverse("home")).content.decode()

    assert (
        "A background task (reporting.old_module.send_things) failed: "
        "No such file or directory: &#x27;a file&#x27;."
    ) in body
    assert_readable(body)


@pytest.mark.parametrize(
    ("type_name", "message", "reason"),
    [
        (
            "prospects.models.BulkJob.DoesNotExist",
            "BulkJob matching query does not exist.",
            "the bulk job it needed was deleted",
        ),
        (
            "django_q.exceptions.TimeoutException",
            "Task exceeded maximum timeout value (30 seconds)",
            "it ran longer than the worker allows and was stopped",
        ),
        (
            "django.db.utils.OperationalError",
            "database is locked",
            "the database was busy; try again in a moment",
        ),
        ("KeyError", "'cursor'", "a value it needed ('cursor') was missing"),
        ("AssertionError", "", "an unexpected error (AssertionError)"),
        ("ConnectionRefusedError", "[Errno 111] Connection refused", "Connection refused"),
        ("OSError", "cannot write /tmp/q/chart.png", "cannot write a file"),
        ("ImportError", "no module in /srv/app/reporting/images.py", "no module in a file"),
        (
            "ApiError",
            "Klenty answered 404 to /apis/v1/user/x/prospects.",
            "Klenty answered 404 to /apis/v1/user/x/prospects.",
        ),
    ],
)
def test_the_last_line_of_an_exception_becomes_a_reason(type_name, message, reason):
    assert failures.readable_reason(type_name, message) == reason


# -- who sees what ------------------------------------------------------------------------------


def test_a_rep_sees_no_team_failures(monkeypatch, rep_client):
    fail_in_worker(
        monkeypatch,
        "klentyadmin.core.background.runner.run",
        ("bulk_job", 3),
        RuntimeError("Klenty said no."),
    )

    body = rep_client.get(reverse("home")).content.decode()

    assert "Recent failures" not in body and "Bulk job 3" not in body


def test_an_admin_follows_the_details_link_to_the_traceback(monkeypatch, admin_client):
    failure = fail_in_worker(
        monkeypatch,
        "klentyadmin.core.background.runner.run",
        ("bulk_job", 3),
        RuntimeError("Klenty said no."),
    )

    home = admin_client.get(reverse("home")).content.decode()
    details = reverse("failure_detail", args=[failure.pk])
    assert "Bulk job 3 stopped: Klenty said no." in home
    assert f'href="{details}"' in home

    page = admin_client.get(details).content.decode()
    assert "Bulk job 3 stopped: Klenty said no." in page
    assert "Traceback (most recent call last)" in page
    assert "test_failures.py" in page


@pytest.mark.parametrize("role_client", ["manager_client", "rep_client"])
def test_managers_and_reps_may_not_open_a_traceback(monkeypatch, request, role_client):
    client = request.getfixturevalue(role_client)
    failure = fail_in_worker(
        monkeypatch,
        "klentyadmin.core.background.runner.run",
        ("bulk_job", 3),
        RuntimeError("Klenty said no."),
    )

    response = client.get(reverse("failure_detail", args=[failure.pk]))

    assert response.status_code == 403
    assert "Traceback" not in response.content.decode()
