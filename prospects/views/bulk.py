"""Bulk actions: confirm a selection, start the job, watch it, cancel, retry, undo."""

from __future__ import annotations

from itertools import chain

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from klentyadmin.accounts.roles import any_role
from klentyadmin.core.background.views import poll_response
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.klenty import KlentyClient
from klentyadmin.lib.csv_writer import csv_download, csv_response
from prospects import bulk
from prospects.bulk_forms import ActionParamsForm, ActionSelectionForm
from prospects.models import BulkAction, BulkJob, BulkJobItem
from prospects.selection import InvalidSelection, resolve_selection

NEEDS_CADENCES = {BulkAction.START_CADENCE, BulkAction.STOP_CADENCE}


def cadence_names(request, action: str) -> tuple[list[str], str]:
    if action not in NEEDS_CADENCES:
        return [], ""
    try:
        cadences = KlentyClient.from_settings(actor=request.user).get_company_cadences()
    except ApiError as exc:
        return [], f"Could not load the cadences: {exc}"
    return sorted(c.name for c in cadences), ""


def render_confirm(request, form: ActionParamsForm, selection: dict, count: int, load_error: str):
    action = selection["action"]
    return render(
        request,
        "prospects/bulk_confirm.html",
        {
            "form": form,
            "selection": selection,
            "count": count,
            "action": action,
            "action_label": BulkAction(action).label,
            "irreversible": bulk.ACTIONS[action].irreversible,
            "load_error": load_error,
        },
    )


def chosen_prospects(request, selection: ActionSelectionForm):
    """The prospects a posted selection means, or None after saying why there are none."""
    if not selection.is_valid():
        for error in selection.errors.get("__all__", ["That selection is not valid."]):
            messages.error(request, error)
        return None
    try:
        prospects = resolve_selection(request.POST, request.user).prospects
    except InvalidSelection as exc:
        messages.error(request, str(exc))
        return None
    if not prospects.exists():
        messages.error(request, "None of the chosen prospects are yours to act on.")
        return None
    return prospects


@require_POST
@any_role
def confirm(request):
    selection = ActionSelectionForm(request.POST)
    prospects = chosen_prospects(request, selection)
    if prospects is None:
        return redirect_to_search(request)
    count = prospects.count()
    names, load_error = cadence_names(request, selection.cleaned_data["action"])
    form = ActionParamsForm(expected_count=count, cadence_choices=names)
    return render_confirm(request, form, selection.cleaned_data, count, load_error)


@require_POST
@any_role
def start(request):
    selection = ActionSelectionForm(request.POST)
    prospects = chosen_prospects(request, selection)
    if prospects is None:
        return redirect_to_search(request)
    count = prospects.count()
    names, load_error = cadence_names(request, selection.cleaned_data["action"])
    form = ActionParamsForm(request.POST, expected_count=count, cadence_choices=names)
    if not form.is_valid():
        return render_confirm(request, form, selection.cleaned_data, count, load_error)
    action = form.cleaned_data["action"]
    job = bulk.create_job(
        user=request.user,
        action=action,
        params=form.action_params(),
        prospect_ids=prospects.values_list("pk", flat=True),
        description=describe(action, form.action_params(), count, form.cleaned_data["scope"]),
    )
    return redirect("prospects:job", pk=job.pk)


def describe(action: str, params: dict, count: int, scope: str) -> str:
    detail = ", ".join(
        f"{key.replace('_', ' ')}: {', '.join(v) if isinstance(v, list) else v}"
        for key, v in params.items()
        if v
    )
    whom = f"all {count} matching a search" if scope == "all" else f"{count} selected"
    return f"{BulkAction(action).label} for {whom}" + (f" ({detail})" if detail else "")


def redirect_to_search(request):
    query = request.POST.get("query", "")
    return redirect(f"/prospects/?{query}" if query else "/prospects/")


def visible_jobs(user):
    jobs = BulkJob.objects.select_related("created_by")
    return jobs if user.is_manager_or_admin else jobs.filter(created_by=user)


@require_GET
@any_role
def jobs(request):
    return render(request, "prospects/jobs.html", {"jobs": visible_jobs(request.user)[:100]})


def job_context(job: BulkJob) -> dict:
    spec = bulk.ACTIONS[job.action]
    return {
        "job": job,
        "progress": bulk.progress(job),
        "can_undo": spec.undo is not None and job.finished and not job.undone_by.exists(),
        "problem_items": job.items.exclude(
            state__in=[BulkJobItem.State.DONE, BulkJobItem.State.PENDING]
        ).order_by("pk")[:200],
    }


@require_GET
@any_role
def job(request, pk: int):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    return render(request, "prospects/job.html", job_context(job))


@require_GET
@any_role
def job_progress(request, pk: int):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    return poll_response(
        request, "prospects/job.html#progress", job_context(job), finished=job.finished
    )


@require_POST
@any_role
def cancel(request, pk: int):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    bulk.cancel_job(job)
    messages.success(request, "Cancelled. Items already sent stay as they are.")
    return redirect("prospects:job", pk=pk)


@require_POST
@any_role
def retry(request, pk: int):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    count = bulk.retry_failed(job)
    messages.success(request, f"{count} failed items queued again.")
    return redirect("prospects:job", pk=pk)


@require_POST
@any_role
def undo(request, pk: int):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    try:
        undo_job = bulk.undo_job(job, request.user)
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("prospects:job", pk=pk)
    return redirect("prospects:job", pk=undo_job.pk)


@require_GET
@any_role
@csv_download
def results_csv(request, pk: int):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    rows = job.items.order_by("pk").values_list("email", "state", "message").iterator(2000)
    header = [("email", "outcome", "message")]
    return csv_response(f"bulk-job-{job.pk}.csv", chain(header, rows), stream=True)
