"""The prospect sync's status (any role) and "Sync now" (Managers and Admins)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from klentyadmin.accounts.roles import any_role, manager_required
from klentyadmin.core import background
from klentyadmin.core.background.views import poll_response
from prospects import sync
from prospects.models import SyncRun

RECENT_RUNS = 10


def status_context(request) -> dict:
    runs = list(SyncRun.objects.select_related("triggered_by")[:RECENT_RUNS])
    for run in runs:
        run.duration_text = duration_text(run.duration.total_seconds())
    running = next((run for run in runs if not run.finished), None)
    now = timezone.now()
    return {
        "runs": runs,
        "running": running,
        "stalled": (
            running is not None
            and running.status == SyncRun.Status.RUNNING
            and (running.lease_until or now) <= now
        ),
        "progress": sync.progress_text(running) if running else "",
        # The figures of the one progress partial (templates/background/progress.html).
        "run_progress": background.get(sync.KIND).progress(running) if running else None,
        "last_done": sync.last_successful(),
        "can_start": request.user.is_manager_or_admin,
    }


def duration_text(seconds: float) -> str:
    minutes, seconds = divmod(int(seconds), 60)
    return f"{minutes} min {seconds} s" if minutes else f"{seconds} s"


@require_GET
@any_role
def sync_status(request):
    context = status_context(request)
    if request.htmx:
        finished = context["running"] is None and bool(request.GET.get("polling"))
        return poll_response(request, "prospects/sync.html#sync-status", context, finished=finished)
    return render(request, "prospects/sync.html", context)


@require_POST
@manager_required
def start_sync(request):
    kind = request.POST.get("kind", SyncRun.Kind.INCREMENTAL)
    if kind not in SyncRun.Kind.values:
        kind = SyncRun.Kind.INCREMENTAL
    if sync.running_run() is not None:
        messages.warning(request, "A sync is already running; its progress is below.")
    else:
        sync.queue_sync(kind, request.user)
        messages.success(request, f"{SyncRun.Kind(kind).label} sync queued.")
    if request.htmx:
        return HttpResponseClientRedirect(reverse("prospects:sync_status"))
    return redirect("prospects:sync_status")
