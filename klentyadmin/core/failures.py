"""Background failures in words people can read.

django-q2 keeps each failed task as a `Failure` row whose `result` is the exception
followed by its Python traceback. That text is for Admins (behind a details link);
everyone else gets one line naming what failed and why, built here from a registry
of the task functions this project queues or schedules, and from the last line of
the exception.

A task function that is queued (`async_task`) or scheduled (`core.schedules`) without
an entry here fails tests/core/test_failures.py, so a new kind of work cannot be
forgotten; an old task name (a Failure row from before a rename) still reads as a
generic "A background task (...) failed: ..." line.
"""

from __future__ import annotations

import re
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from django.apps import apps
from django.conf import settings

from klentyadmin.core import background

DELETED_MEANWHILE = "what it was working on was deleted while it ran"
TRACEBACK_START = "Traceback (most recent call last):"
TRACEBACK_MARK = f" : {TRACEBACK_START}"
MAX_REASON = 300


@dataclass(frozen=True)
class TaskLabel:
    """How one task function's failure is told: "<what> <failed>: <reason>."

    `what` may name the task's first argument as {0} ("Bulk job {0}"); `subject`, when
    given, looks up a better name from the arguments (None when it is gone); `deleted`
    says what was most likely deleted when the task's rows vanished under it.
    """

    what: str
    failed: str = "failed"
    subject: Callable[[Sequence], str | None] | None = None
    deleted: str = DELETED_MEANWHILE

    def headline(self, args: Sequence) -> str:
        if self.subject is not None:
            found = self.subject(args)
            if found:
                return found
        try:
            return self.what.format(*args)
        except (IndexError, KeyError, ValueError):
            return self.what.replace(" {0}", "")


def report_email_subject(args: Sequence) -> str | None:
    """Names the subscription of a report delivery, even once it is deleted (the
    delivery keeps its label)."""
    delivery_model = apps.get_model("reporting", "ReportDelivery")
    delivery = (
        delivery_model.objects.filter(pk=args[0]).select_related("subscription__user").first()
        if args
        else None
    )
    return background.get("report_email").title(delivery) if delivery else None


def background_run_subject(args: Sequence) -> str | None:
    """Names the run the background framework's runner was working: "Bulk job 3", or
    the kind's own name for it while the run still exists."""
    from klentyadmin.core.background import KINDS

    if len(args) != 2 or args[0] not in KINDS:
        return None
    kind = KINDS[args[0]]
    run = kind.runs().filter(pk=args[1]).first()
    return kind.title(run) if run is not None else f"{kind.label} {args[1]}"


# Every task function this project queues or schedules, by its dotted path.
TASKS: dict[str, TaskLabel] = {
    "klentyadmin.core.tasks.heartbeat": TaskLabel("The worker heartbeat"),
    "klentyadmin.core.tasks.prune_api_calls": TaskLabel(
        "Pruning old API calls from the log", "did not finish"
    ),
    "klentyadmin.core.once.prune_keys": TaskLabel(
        "Forgetting the one-time keys of old forms", "did not finish"
    ),
    "klentyadmin.core.background.runner.run": TaskLabel(
        "Background work {0}", "stopped", subject=background_run_subject
    ),
    "klentyadmin.core.background.resume_stalled": TaskLabel(
        "Resuming stalled background work", "did not finish"
    ),
    "dedupe.finding.scheduled_look": TaskLabel("Looking for duplicates", "did not finish"),
    "prospects.sync.run_sync": TaskLabel("The {0} prospect sync", "stopped"),
    "prospects.sync.scheduled_sync": TaskLabel("The scheduled prospect sync", "stopped"),
    "reporting.pulls.scheduled_engagement": TaskLabel(
        "The scheduled email engagement pull", "stopped"
    ),
    "reporting.pulls.scheduled_stepwise": TaskLabel(
        "The scheduled step-wise engagement pull", "stopped"
    ),
    "reporting.pulls.scheduled_calls": TaskLabel("The scheduled calls pull", "stopped"),
    "reporting.emails.deliver": TaskLabel(
        "A report email",
        "could not be sent",
        subject=report_email_subject,
        deleted="the subscription was deleted",
    ),
    "reporting.emails.send_due": TaskLabel(
        "Sending the report emails that were due", "did not finish"
    ),
    "cadences.sync.scheduled_refresh": TaskLabel("The scheduled cadence refresh", "stopped"),
    "alerts.tasks.evaluate_rules": TaskLabel("Evaluating the alert rules", "did not finish"),
    "enrichment.services.start_cadence_after_import": TaskLabel(
        "Starting the cadence after a Snov.io import", "did not finish"
    ),
}


@dataclass(frozen=True)
class ReadableFailure:
    """One failed background task, or one run that did not end well, as Home shows it."""

    # django-q2's task id: the Admin's details link ("" for a run that failed without one).
    id: str
    line: str
    stopped: datetime | None
    # The run's own page, where its kind has one.
    url: str | None = None


def failure_line(func: str, args: Sequence | None, result: object) -> str:
    """One sentence naming what failed and why, without paths or tracebacks."""
    type_name, message = last_exception(str(result or ""))
    label = TASKS.get(func)
    if label is None:
        reason = readable_reason(type_name, message)
        return sentence(f"A background task ({func or 'unnamed'}) failed: {reason}")
    reason = readable_reason(type_name, message, deleted=label.deleted)
    return sentence(f"{label.headline(tuple(args or ()))} {label.failed}: {reason}")


def readable(failure) -> ReadableFailure:
    """A django-q2 Failure (or anything with its fields) as one readable line."""
    return ReadableFailure(
        id=failure.id,
        line=failure_line(failure.func, failure.args, failure.result),
        stopped=failure.stopped,
    )


def readable_run(kind: background.Kind, run, *, task_id: str = "") -> ReadableFailure:
    """A run that did not end well, in its kind's words (`Kind.failure_line`). Its
    recorded error goes through `readable_error` first, so no kind can show a traceback
    or a path; `task_id` is the django-q2 failure of the same run, if any."""
    run.error = readable_error(getattr(run, "error", ""))
    return ReadableFailure(
        id=task_id,
        line=sentence(kind.failure_line(run) or f"{kind.title(run)} failed"),
        stopped=run.finished_at,
        url=kind.url(run),
    )


# -- reasons ------------------------------------------------------------------------------

LAST_LINE = re.compile(r"^(?P<type>[A-Za-z_][\w.]*)(?::\s?(?P<message>.*))?$")
ERRNO = re.compile(r"^\[Errno -?\d+\]\s*")
# A file on this machine: under a system root, under the top folder of wherever the
# project, Python or the temporary folder sit (a checkout at /check/… too), or any *.py.
# API paths (/v1/prospects) start elsewhere and stay.
MACHINE_ROOTS = {"home", "work", "usr", "tmp", "var", "opt", "etc", "srv", "root", "app"} | {
    Path(folder).resolve().parts[1]
    for folder in (settings.BASE_DIR, sys.prefix, tempfile.gettempdir())
    if len(Path(folder).resolve().parts) > 1
}
PATH = re.compile(
    rf"""(?<![\w:/])(?:/(?:{"|".join(sorted(map(re.escape, MACHINE_ROOTS)))})(?:/[^\s'"(),:]*)+"""
    r"""|(?:/[^\s/'"(),:]+)+\.py\b)"""
)
SMTP_REPLY = re.compile(r"""^\((?P<code>\d{3}), b?(?P<q>['"])(?P<text>.*)(?P=q)\)$""", re.S)
MISSING_ROW = re.compile(r"^(?P<model>\w+) matching query does not exist")
CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def last_exception(result: str) -> tuple[str, str]:
    """(exception type, message) from django-q2's "<message> : <traceback>" text.

    The type comes from the traceback's last line; the message from the text before
    the traceback when there is one (it may span lines), else from that last line.
    """
    head, marked, trace = result.partition(TRACEBACK_MARK)
    lines = [line for line in (trace if marked else result).splitlines() if line.strip()]
    match = LAST_LINE.match(lines[-1].strip()) if lines else None
    type_name = match["type"] if match else ""
    if marked:
        return type_name, head.strip()
    if match and match["message"] is not None:
        return type_name, match["message"].strip()
    return "", result.strip()


# Exceptions whose message says little to a reader, and what to say instead.
FIXED_REASONS: list[tuple[Callable[[str, str], bool], str]] = [
    (
        lambda kind, message: kind == "TimeoutException",
        "it ran longer than the worker allows and was stopped",
    ),
    (
        lambda kind, message: "database is locked" in message,
        "the database was busy; try again in a moment",
    ),
    (
        lambda kind, message: message.startswith("Function ") and message.endswith("not defined"),
        "the worker does not know this task any more (it may have been renamed)",
    ),
]


def readable_reason(type_name: str, message: str, *, deleted: str = DELETED_MEANWHILE) -> str:
    """Why it failed, as a reader would say it. The type is a dotted class path or a
    bare class name; the message is str() of the exception."""
    kind = type_name.rsplit(".", 1)[-1]
    message = message.strip()
    if gone := deleted_reason(kind, message, deleted):
        return gone
    for applies, reason in FIXED_REASONS:
        if applies(kind, message):
            return reason
    if smtp := SMTP_REPLY.match(message):
        return f"the mail server answered {smtp['code']}: {smtp['text'].strip()}"
    if kind == "KeyError":
        return f"a value it needed ({message}) was missing"
    text = PATH.sub("a file", ERRNO.sub("", message)).strip()
    if not text:
        return f"an unexpected error ({kind or 'unknown'})"
    return text if len(text) <= MAX_REASON else text[: MAX_REASON - 1].rstrip() + "…"


def deleted_reason(kind: str, message: str, deleted: str) -> str:
    """What was deleted under the task, when the database says a row was missing;
    the task's own words for it when its label has them."""
    if message.startswith("Save with update_fields did not affect any rows"):
        return deleted
    missing = MISSING_ROW.match(message)
    if kind != "DoesNotExist" and not missing:
        return ""
    if deleted != DELETED_MEANWHILE or not missing:
        return deleted
    return f"the {CAMEL.sub(' ', missing['model']).lower()} it needed was deleted"


def readable_error(error: str) -> str:
    """A run's recorded error (usually str() of an exception, "" for none) in the same
    words: a traceback pasted into it is reduced to its last line, paths are dropped."""
    head, marked, trace = (error or "").partition(TRACEBACK_START)
    if not marked:
        return readable_reason("", head) if head.strip() else ""
    lines = [line.strip() for line in trace.splitlines() if line.strip()]
    match = LAST_LINE.match(lines[-1]) if lines else None
    type_name = match["type"] if match else ""
    message = head.strip().rstrip(":").strip() or (match and match["message"]) or ""
    return readable_reason(type_name, message)


def reason_for(exc: BaseException) -> str:
    """The same words for an exception caught in this process (a run's error field)."""
    return readable_reason(type(exc).__name__, str(exc))


def sentence(text: str) -> str:
    text = text.strip()
    return text if text.endswith((".", "!", "?", "…")) else f"{text}."
