"""The CRM pages: contacts search, import into Klenty, push to the CRM, transfers,
and the CRM's connection settings. Thin: read input, check the role, call one
function in contacts.transfers (or the CRM client), render."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_GET, require_POST

from contacts import transfers as crm_transfers
from contacts.forms import ContactSelectionForm, CrmConnectionForm, ImportForm, PushForm
from contacts.models import Transfer
from klentyadmin.accounts.roles import any_role
from klentyadmin.core import once
from klentyadmin.core.background.views import run_views
from klentyadmin.core.connection_settings import (
    VendorConnection,
    connection_views,
)
from klentyadmin.core.models import Service
from klentyadmin.integrations.crm.client import CrmClient
from klentyadmin.integrations.crm.target import crm_target
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.klenty.target import klenty_target
from prospects.models import Prospect
from prospects.owners import owner_of_new_prospects
from prospects.search import ProspectSearch
from prospects.selection import InvalidSelection, Selection, resolve_selection

PAGE_SIZE = 50


def _crm(request, target=None) -> CrmClient:
    return CrmClient(target or crm_target(), actor=request.user)


# -- contacts -------------------------------------------------------------------


@require_GET
@any_role
def contact_list(request):
    query = request.GET.get("q", "").strip()[:200]
    target = crm_target()
    contacts, error = [], ""
    try:
        contacts = _crm(request, target).search_contacts(query)
    except ApiError as exc:
        error = str(exc)
    page = Paginator(contacts, PAGE_SIZE).get_page(request.GET.get("page"))
    emails = [c.email for c in page.object_list if c.email]
    in_klenty = set(Prospect.objects.filter(email__in=emails).values_list("email", flat=True))
    context = {
        "query": query,
        "page": page,
        "count": len(contacts),
        "in_klenty": in_klenty,
        "error": error,
        "crm": target,
    }
    template = "contacts/list.html#results" if request.htmx else "contacts/list.html"
    return render(request, template, context)


def _chosen_contacts(request, data: dict) -> list:
    """The contacts a selection means, fetched again from the CRM."""
    found = _crm(request).search_contacts(data.get("query", ""))
    if data["scope"] == "all":
        return found
    wanted = set(data["contact_ids"])
    return [c for c in found if c.id in wanted]


def _render_import(request, form: ImportForm, selection: dict, contacts: list, error: str = ""):
    plan = crm_transfers.plan_import(contacts, request.user)
    return render(
        request,
        "contacts/import_confirm.html",
        {
            "form": form,
            "selection": selection,
            "plan": plan,
            "to_send": sum(1 for row in plan if row.send),
            "mapping": crm_transfers.IMPORT_MAPPING,
            "error": error,
        },
    )


def _team() -> tuple[str, ...]:
    return klenty_target().team_emails


@require_POST
@any_role
def import_confirm(request):
    selection = ContactSelectionForm(request.POST)
    if not selection.is_valid():
        for error in selection.non_field_errors() or ["That selection is not valid."]:
            messages.error(request, error)
        return _back_to_contacts(request)
    try:
        contacts = _chosen_contacts(request, selection.cleaned_data)
    except ApiError as exc:
        return _render_import(
            request, ImportForm(team=_team()), selection.cleaned_data, [], str(exc)
        )
    initial = {"owner": request.user.klenty_email} if request.user.klenty_email else {}
    form = ImportForm(team=_team(), initial=initial)
    return _render_import(request, form, selection.cleaned_data, contacts)


@require_POST
@any_role
@once.replays_earlier_result
def import_start(request):
    form = ImportForm(request.POST, team=_team())
    if not form.is_valid():
        selection = ContactSelectionForm(request.POST)
        if not selection.is_valid():
            return _back_to_contacts(request)
        return _render_import(request, form, selection.cleaned_data, [])
    try:
        contacts = _chosen_contacts(request, form.cleaned_data)
        owner = owner_of_new_prospects(request.user, form.cleaned_data["owner"])
    except (ApiError, ValueError) as exc:
        return _render_import(request, form, form.cleaned_data, [], str(exc))
    if not contacts:
        messages.error(request, "None of the chosen contacts are in the CRM any more.")
        return _back_to_contacts(request)
    return once.send_once(
        request,
        form.cleaned_data[once.FIELD],
        lambda: crm_transfers.start_import(
            request.user, contacts, owner=owner, list_name=form.cleaned_data["list_name"]
        ).get_absolute_url(),
    )


def _back_to_contacts(request):
    query = request.POST.get("query", "")
    url = reverse("contacts:list")
    return redirect(f"{url}?{urlencode({'q': query})}" if query else url)


# -- Klenty → CRM ---------------------------------------------------------------


@require_GET
@any_role
def push_choose(request):
    """Pick cached Klenty prospects to push (the prospects search's `q` and filters)."""
    prospects = ProspectSearch.from_params(request.GET).queryset(request.user)
    page = Paginator(prospects.select_related("prospect_list"), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    params = request.GET.copy()
    params.pop("page", None)
    context = {"page": page, "q": request.GET.get("q", ""), "query": params.urlencode()}
    template = "contacts/push_choose.html#results" if request.htmx else "contacts/push_choose.html"
    return render(request, template, context)


def _render_push(request, form: PushForm, selection: Selection, count: int, error: str):
    return render(
        request,
        "contacts/push_confirm.html",
        {
            "form": form,
            "selection": selection,
            "count": count,
            "error": error,
            "mapping": crm_transfers.PUSH_MAPPING,
        },
    )


def _lead_statuses(request) -> tuple[list, str]:
    try:
        return _crm(request).get_lead_statuses(), ""
    except ApiError as exc:
        return [], f"Could not load the CRM's lead statuses: {exc}"


@require_POST
@any_role
def push_confirm(request):
    try:
        selection = resolve_selection(request.POST, request.user)
    except InvalidSelection as exc:
        messages.error(request, str(exc))
        return redirect("contacts:push_choose")
    count = selection.prospects.count()
    if count == 0:
        messages.error(request, "None of the chosen prospects are yours to push.")
        return redirect("contacts:push_choose")
    statuses, error = _lead_statuses(request)
    form = PushForm(statuses=statuses, initial={"lead_status": statuses[0].id if statuses else ""})
    return _render_push(request, form, selection, count, error)


@require_POST
@any_role
@once.replays_earlier_result
def push_start(request):
    statuses, error = _lead_statuses(request)
    form = PushForm(request.POST, statuses=statuses)
    try:
        selection = resolve_selection(request.POST, request.user)
    except InvalidSelection as exc:
        messages.error(request, str(exc))
        return redirect("contacts:push_choose")
    prospects = selection.prospects
    if error or not form.is_valid():
        return _render_push(request, form, selection, prospects.count(), error)
    if not prospects.exists():
        messages.error(request, "None of the chosen prospects are yours to push.")
        return redirect("contacts:push_choose")
    return once.send_once(
        request,
        form.cleaned_data[once.FIELD],
        lambda: crm_transfers.start_push(
            request.user,
            prospects.values_list("pk", flat=True),
            form.cleaned_data["lead_status"],
        ).get_absolute_url(),
    )


# -- transfers ------------------------------------------------------------------


def visible_transfers(user):
    transfers = Transfer.objects.select_related("created_by", "bulk_job")
    return transfers if user.is_manager_or_admin else transfers.filter(created_by=user)


@require_GET
@any_role
def transfers(request):
    return render(
        request, "contacts/transfers.html", {"transfers": visible_transfers(request.user)[:100]}
    )


def _transfer_context(transfer: Transfer) -> dict:
    return {
        "transfer": transfer,
        "progress": crm_transfers.progress(transfer),
        "rows": crm_transfers.result_rows(transfer),
        "retry_form": once.OneTimeKeyForm(),
    }


transfer, transfer_progress = run_views(
    visible_transfers, "contacts/transfer.html", _transfer_context
)


@require_POST
@any_role
def transfer_retry(request, pk: int):
    transfer = get_object_or_404(visible_transfers(request.user), pk=pk)
    return once.retry_failed_once(
        request, lambda: crm_transfers.retry_failed(transfer), transfer.get_absolute_url()
    )


# -- settings (Admins) ----------------------------------------------------------


def _check_crm(actor) -> str:
    # "Get Current User" is the CRM's cheap call, and says whose key it is.
    me = CrmClient.from_settings(actor=actor).get_current_user()
    return format_html(
        "Connected as <strong>{}</strong> ({}) in the workspace <strong>{}</strong>.",
        me.name,
        me.email,
        me.workspace,
    )


CRM = VendorConnection(
    service=Service.CRM,
    name="CRM",
    form_class=CrmConnectionForm,
    target=crm_target,
    check=_check_crm,
    env_note="CRM_API_KEY is set in the environment; it overrides the key stored here.",
    page_url="contacts:settings",
    test_url="contacts:test_connection",
    template="contacts/settings.html",
)

crm_settings, test_connection = connection_views(CRM)
