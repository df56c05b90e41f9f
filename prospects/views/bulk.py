"""Bulk actions: confirm a selection, start the job, watch it, cancel, retry, undo."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain

from django.contrib import messages
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from klentyadmin.accounts.roles import any_role
from klentyadmin.core import once
from klentyadmin.core.background.views import run_views
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


@dataclass(frozen=True)
class PostedAction:
    """A bulk action's posted selection, resolved, and its parameters' form."""

    selection: dict  # the ActionSelectionForm's cleaned data
    prospects: QuerySet
    count: int
    form: ActionParamsForm
    load_error: str  # why the cadences could not be loaded, if they could not

    def render_confirm(self, request):
        action = self.selection["action"]
        return render(
            request,
            "prospects/bulk_confirm.html",
            {
                "form": self.form,
                "selection": self.selection,
                "count": self.count,
                "action": action,
                "action_label": BulkAction(action).label,
                "irreversible": bulk.ACTIONS[action].irreversible,
                "load_error": self.load_error,
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


def posted_action(request, data=None) -> PostedAction | None:
    """The posted selection and the action's form for it (bound to `data`, if given),
    or None after saying why there is nothing to act on."""
    selection = ActionSelectionForm(request.POST)
    prospects = chosen_prospects(request, selection)
    if prospects is None:
        return None
    count = prospects.count()
    names, load_error = cadence_names(request, selection.cleaned_data["action"])
    form = ActionParamsForm(data, expected_count=count, cadence_choices=names)
    return PostedAction(selection.cleaned_data, prospects, count, form, load_error)


@require_POST
@any_role
def confirm(request):
    if (posted := posted_action(request)) is None:
        return redirect_to_search(request)
    return posted.render_confirm(request)


@require_POST
@any_role
@once.replays_earlier_result
def start(request):
    if (posted := posted_action(request, request.POST)) is None:
        return redirect_to_search(request)
    form, prospects, count = posted.form, posted.prospects, posted.count
    if not form.is_valid():
        return posted.render_confirm(request)
    action = form.cleaned_data["action"]
    return once.send_once(
        request,
        form.cleaned_data[once.FIELD],
        lambda: bulk.create_job(
            user=request.user,
            action=action,
            params=form.action_params(),
            prospect_ids=prospects.values_list("pk", flat=True),
            description=describe(action, form.action_params(), count, form.cleaned_data["scope"]),
        ).get_absolute_url(),
    )


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
        # Retry and Undo start work: each of their forms carries a one-time key.
        "retry_form": once.OneTimeKeyForm(),
        "undo_form": once.OneTimeKeyForm(),
    }


job, job_progress = run_views(visible_jobs, "prospects/job.html", job_context)


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
    return once.retry_failed_once(request, lambda: bulk.retry_failed(job), job.get_absolute_url())


@require_POST
@any_role
def undo(request, pk: int):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    if not (key := once.posted_key(request)):
        return redirect("prospects:job", pk=pk)
    try:
        return once.send_once(
            request, key, lambda: bulk.undo_job(job, request.user).get_absolute_url()
        )
    except ValueError as exc:
        messages.error(request, str(exc))
        return redirect("prospects:job", pk=pk)


@require_GET
@any_role
@csv_download
def results_csv(request, pk: int):
    job = get_object_or_404(visible_jobs(request.user), pk=pk)
    rows = job.items.order_by("pk").values_list("email", "state", "message").iterator(2000)
    header = [("email", "outcome", "message")]
    return csv_response(f"bulk-job-{job.pk}.csv", chain(header, rows), stream=True)
