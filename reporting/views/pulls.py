"""Every report pull: its last run, next run and errors; "Refresh now" for Managers."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect
from django_q.models import Schedule

from klentyadmin.accounts.roles import any_role, manager_required
from klentyadmin.core import background
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
    for kind, label in PullRun.Kind.choices:
        schedule = schedules.get(pulls.SCHEDULE_NAMES[kind])
        rows.append(
            {
                "kind": kind,
                "label": label,
                "last": latest[kind],
                "next_run": schedule.next_run if schedule else None,
                "minutes": schedule.minutes if schedule else None,
            }
        )
    runs = list(PullRun.objects.select_related("triggered_by")[:RECENT_RUNS])
    kind = background.get(pulls.KIND)
    for run in runs:
        run.duration_text = duration_text(run)
        run.failure_line = kind.failure_line(run)
    context = {"pulls": rows, "runs": runs, "can_refresh": request.user.is_manager_or_admin}
    return render(request, "reporting/pulls.html", context)


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
