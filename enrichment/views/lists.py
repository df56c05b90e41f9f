"""Snov.io prospect lists: browse and create them, add domain search results to one,
open one, send one to Klenty. Managers and Admins: the lists are the account's."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrichment import services, snov_lists
from enrichment.forms import NOT_FROM_RESULTS, SendListForm, SnovListForm
from enrichment.views.search import _klenty_choices
from klentyadmin.accounts.roles import manager_required
from klentyadmin.core import once
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.klenty import KlentyClient
from klentyadmin.integrations.snov import SnovClient


@require_http_methods(["GET", "POST"])
@manager_required
def lists(request):
    client = SnovClient.from_settings(actor=request.user)
    form = SnovListForm(request.POST or None)
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        try:
            list_id = snov_lists.create_list(client, form.cleaned_data["name"])
        except ApiError as exc:
            context["error"] = str(exc)
        else:
            messages.success(request, f"Snov.io list {form.cleaned_data['name']} was created.")
            return redirect("enrichment:snov_list", list_id=list_id)
    try:
        context["lists"] = snov_lists.live_lists(client)
        # What a prospect added to a list can carry beyond its name and email.
        context["custom_fields"] = client.custom_fields()
    except ApiError as exc:
        context["error"] = str(exc)
    return render(request, "enrichment/lists.html", context, status=400 if form.errors else 200)


@require_GET
@manager_required
def snov_list(request, list_id: int):
    client = SnovClient.from_settings(actor=request.user)
    try:
        page = max(1, min(int(request.GET.get("page") or 1), 10_000))
    except ValueError:
        page = 1
    context: dict = {"list_id": list_id, "page": page, "send_form": SendListForm()}
    try:
        found = snov_lists.find_list(client, list_id)
        if found is None:
            context["missing"] = True
        else:
            context["snov_list"] = found
            context["contents"] = snov_lists.list_page(client, list_id, page)
            context["has_next"] = len(context["contents"].prospects) == snov_lists.PAGE_SIZE
            context["parts"] = snov_lists.parts(context["contents"].contacts)
    except ApiError as exc:
        context["error"] = str(exc)
    context.update(_klenty_choices(request.user))
    status = 404 if context.get("missing") else 200
    return render(request, "enrichment/list.html", context, status=status)


@require_POST
@manager_required
def add_to_list(request):
    """Ticked rows of a domain search's verified results into a Snov.io list."""
    template = "enrichment/domain.html#list_added"
    posted = [v for v in request.POST.getlist("row") if v.strip()][: snov_lists.MAX_ADDED]
    rows = [services.unsealed_row(v, request.user) for v in posted]
    try:
        list_id = int(request.POST.get("snov_list", ""))
    except ValueError:
        return render(request, template, {"error": "Choose a Snov.io list."})
    if not posted:
        return render(request, template, {"error": "Tick at least one email."})
    if None in rows:
        return render(request, template, {"error": NOT_FROM_RESULTS})
    client = SnovClient.from_settings(actor=request.user)
    try:
        outcome = snov_lists.add_rows(client, list_id, rows)
    except ApiError as exc:
        return render(request, template, {"error": str(exc)})
    return render(request, template, {"outcome": outcome, "list_id": list_id})


@require_POST
@manager_required
@once.replays_earlier_result
def send_list(request, list_id: int):
    form = SendListForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
        return redirect("enrichment:snov_list", list_id=list_id)

    def start() -> str:
        push, already = snov_lists.send_list(
            user=request.user,
            snov=SnovClient.from_settings(actor=request.user),
            klenty=KlentyClient.from_settings(actor=request.user),
            list_id=list_id,
            list_name=form.cleaned_data["list_name"],
            cadence_name=form.cleaned_data["cadence_name"],
            part=form.cleaned_data["part"],
        )
        if push is None:
            messages.info(request, "Every prospect of this list is already in Klenty.")
            return reverse("enrichment:snov_list", kwargs={"list_id": list_id})
        total = push.import_job.total
        note = f"Sending {total} prospect{pluralize(total)} to Klenty"
        if already:
            note += f"; {already} already in Klenty {pluralize(already, 'was,were')} skipped"
        messages.success(request, note + ".")
        return push.import_job.get_absolute_url()

    try:
        return once.send_once(request, form.cleaned_data[once.FIELD], start)
    except ApiError as exc:
        messages.error(request, str(exc))
        return redirect("enrichment:snov_list", list_id=list_id)
