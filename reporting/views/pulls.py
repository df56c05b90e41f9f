"""Every report pull: its last run, next run and errors; "Refresh now" for Managers."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_q.models import Schedule

from klentyadmin.accounts.roles import any_role, manager_required
from klentyadmin.core import background
from klentyadmin.core.background.views import poll_response
from reporting import pulls
from reporting.models import PullRun

RECENT_RUNS = 20


def duration_text(run: PullRun) -> str:
    if not run.started_at:
        return "queued"
    if not run.finished_at:
        return "running"
    seconds = int((run.finished_at - run.started_at).total_seconds())
    minutes, seconds = divmod(seconds, 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


@require_GET
@any_role
def pull_status(request):
    schedules = {s.name: s for s in Schedule.objects.filter(name__in=pulls.SCHEDULE_NAMES.values())}
    latest = pulls.last_runs()
    rows = []
    kind = background.get(pulls.KIND)
    for name, label in PullRun.Kind.choices:
        schedule = schedules.get(pulls.SCHEDULE_NAMES[name])
        last = latest[name]
        rows.append(
            {
                "kind": name,
                "label": label,
                "last": last,
                "next_run": schedule.next_run if schedule else None,
                "minutes": schedule.minutes if schedule else None,
                # A run under way shows its progress, polled until it is finished.
                "progress": kind.progress(last) if last and not last.finished else None,
            }
        )
    runs = list(PullRun.objects.select_related("triggered_by")[:RECENT_RUNS])
    for run in runs:
        run.duration_text = duration_text(run)
        run.failure_line = kind.failure_line(run)
    context = {"pulls": rows, "runs": runs, "can_refresh": request.user.is_manager_or_admin}
    return render(request, "reporting/pulls.html", context)


@require_GET
@any_role
def pull_progress(request, pk: int):
    """The progress of one run, polled by the pulls page; 286 once it is finished."""
    run = get_object_or_404(PullRun, pk=pk)
    context = {"run": run, "progress": background.get(pulls.KIND).progress(run)}
    return poll_response(
        request, "reporting/pulls.html#pull-progress", context, finished=run.finished
    )


@require_POST
@manager_required
def refresh_now(request):
    asked = request.POST.getlist("kind")
    kinds = [k for k in asked if k in PullRun.Kind.values]
    url = reverse("reporting:pulls")
    if asked and not kinds:
        messages.error(request, "There is no such report pull.")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    started = []
    for kind in kinds or PullRun.Kind.values:
        # A run its dead worker left behind counts: the resume schedule takes it over.
        if pulls.is_running(kind):
            continue
        pulls.queue_pull(kind, request.user)
        started.append(PullRun.Kind(kind).label.lower())
    if started:
        messages.success(request, f"Refreshing {', '.join(started)} now.")
    else:
        messages.warning(request, "That pull is already running; its result appears below.")
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
