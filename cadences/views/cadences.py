"""The cadences pages: the cached list, one cadence, and starting or stopping it in bulk."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import HttpRequest, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from cadences import overview, sync
from cadences.forms import AddSearchForm, CadenceActionForm
from cadences.models import CadenceRefresh
from cadences.sync import refresh_cadences
from klentyadmin.accounts.roles import any_role, manager_required
from klentyadmin.core import background
from klentyadmin.core.background.views import poll_response
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.klenty import KlentyClient
from prospects import bulk
from prospects.models import BulkAction
from prospects.selection import ALL, InvalidSelection, resolve_selection

STEPS_DAYS = 30


@require_GET
@any_role
def cadence_list(request: HttpRequest):
    last_refresh = CadenceRefresh.objects.first()
    context = {"summaries": overview.summaries(request.user), "last_refresh": last_refresh}
    if last_refresh and not last_refresh.finished:
        # The worker is still reading the team (a newer refresh cancels older ones).
        context.update(refresh_context(last_refresh))
    return render(request, "cadences/list.html", context)


def refresh_context(refresh: CadenceRefresh) -> dict:
    return {"refresh": refresh, "progress": background.get(sync.KIND).progress(refresh)}


@require_GET
@any_role
def refresh_progress(request: HttpRequest, pk: int):
    refresh = get_object_or_404(CadenceRefresh, pk=pk)
    context = refresh_context(refresh)
    return poll_response(
        request, "cadences/list.html#refresh-progress", context, finished=refresh.finished
    )


@require_POST
@manager_required
def refresh(request: HttpRequest):
    run = refresh_cadences(actor=request.user)
    if not run.finished:  # a large team: the rest is read by the worker
        messages.info(request, "Refreshing: the rest of the team is read in the background.")
    elif run.error:
        messages.error(request, f"Could not refresh every cadence: {run.error}")
    else:
        messages.success(request, f"Refreshed: {run.cadences} cadences.")
    return redirect("cadences:list")


@require_GET
@any_role
def detail(request: HttpRequest, pk: int):
    cadence = get_object_or_404(overview.visible_cadences(request.user), pk=pk)
    context = {
        "cadence": cadence,
        "status_counts": overview.status_counts(request.user, cadence),
        "prospects": overview.cadence_prospects(request.user, cadence),
        "steps_days": STEPS_DAYS,
    }
    return render(request, "cadences/detail.html", context)


@require_GET
@any_role
def steps(request: HttpRequest, pk: int):
    """The step-wise figures of the last 30 days, fetched when the cadence page asks."""
    cadence = get_object_or_404(overview.visible_cadences(request.user), pk=pk)
    today = timezone.localdate()
    context = {"cadence": cadence, "steps_days": STEPS_DAYS, "steps": [], "steps_error": ""}
    try:
        client = KlentyClient.from_settings(actor=request.user)
        context["steps"] = client.get_stepwise_engagement(
            cadence.name, today - timedelta(days=STEPS_DAYS), today
        )
    except ApiError as exc:
        context["steps_error"] = str(exc)
    return render(request, "cadences/detail.html#steps", context)


@require_POST
@any_role
def act(request: HttpRequest, pk: int):
    """Stop or resume the cadence for the ticked prospects, through the bulk engine."""
    cadence = get_object_or_404(overview.visible_cadences(request.user), pk=pk)
    form = CadenceActionForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("cadences:detail", pk=pk)
    try:
        prospects = resolve_selection(request.POST, request.user).prospects
    except InvalidSelection as exc:
        messages.error(request, str(exc))
        return redirect("cadences:detail", pk=pk)
    count = prospects.count()
    if not count:
        messages.error(request, "None of the ticked prospects are yours to act on.")
        return redirect("cadences:detail", pk=pk)
    action = form.cleaned_data["action"]
    params = {"cadence_name": cadence.name} if action == BulkAction.STOP_CADENCE else {}
    job = bulk.create_job(
        user=request.user,
        action=action,
        params=params,
        prospect_ids=prospects.values_list("pk", flat=True),
        description=f"{BulkAction(action).label} “{cadence.name}” for {count} selected",
    )
    return redirect("prospects:job", pk=job.pk)


@require_http_methods(["GET", "POST"])
@any_role
def add_search(request: HttpRequest):
    """Start a cadence for everything a search matches: GET shows the count, POST starts."""
    if request.method == "POST":
        form = AddSearchForm(request.POST)
        query = request.POST.get("query", "")
    else:
        query = search_query(request.GET)
        form = AddSearchForm(initial={"cadence": request.GET.get("target"), "query": query})
    form.fields["cadence"].queryset = overview.visible_cadences(request.user)
    try:
        prospects = resolve_selection({"scope": ALL, "query": query}, request.user).prospects
    except InvalidSelection as exc:
        # Starting without the filter the search ignored would reach more than was shown.
        messages.error(request, str(exc))
        prospects = None
    count = prospects.count() if prospects is not None else 0
    if request.method == "POST" and prospects is not None and form.is_valid():
        if count == 0:
            messages.error(request, "No prospects of yours match that search.")
        else:
            cadence = form.cleaned_data["cadence"]
            job = bulk.create_job(
                user=request.user,
                action=BulkAction.START_CADENCE,
                params={"cadence_name": cadence.name},
                prospect_ids=prospects.values_list("pk", flat=True),
                description=f"Start cadence “{cadence.name}” for all {count} matching a search",
            )
            return redirect("prospects:job", pk=job.pk)
    if request.method == "POST":
        # The search travels in a hidden field, so the page cannot show its errors there.
        for field in form.hidden_fields():
            for error in field.errors:
                messages.error(request, f"The search cannot be used: {error}")
    filters = [(key, value) for key, values in QueryDict(query).lists() for value in values]
    context = {"form": form, "count": count, "query": query, "filters": filters}
    return render(request, "cadences/add.html", context)


def search_query(params: QueryDict) -> str:
    """The search's own parameters, without ours (`target`: the cadence to start) and
    without its page."""
    query = QueryDict(mutable=True)
    for key, values in params.lists():
        kept = [value for value in values if value.strip()]
        if key not in ("target", "page") and kept:
            query.setlist(key, kept)
    return query.urlencode()
