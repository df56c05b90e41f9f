"""Create and edit a prospect: Klenty first, then the cache."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from klentyadmin.accounts.roles import any_role
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.klenty import KlentyClient
from klentyadmin.integrations.klenty.target import klenty_target
from prospects import editing
from prospects.forms import CustomFieldForm, ProspectForm
from prospects.models import ProspectList
from prospects.owners import duplicate_refusal
from prospects.views.detail import visible_prospect


def form_page(request: HttpRequest, form: ProspectForm, api_error: str = "", **extra):
    context = {
        "form": form,
        "prospect": form.editing,
        "api_error": api_error,
        "list_names": ProspectList.objects.values_list("name", flat=True),
        "custom_form": CustomFieldForm(),
        **extra,
    }
    return render(request, "prospects/form.html", context, status=200)


@require_http_methods(["GET", "POST"])
@any_role
def create(request: HttpRequest):
    target = klenty_target()
    data = request.POST if request.method == "POST" else None
    form = ProspectForm(data, user=request.user, team_emails=target.team_emails)
    if request.method == "POST" and form.is_valid():
        client = KlentyClient(target, actor=request.user)
        try:
            values = editing.fields_from_form(form.cleaned_data, request.user)
            prospect = editing.create_prospect(client, values)
        except editing.AlreadyInKlenty as exc:
            if request.user.is_manager_or_admin:
                return form_page(request, form, api_error=str(exc))
            # A Rep gets the words of the cache's refusal: the two must look alike.
            form.add_error("email", duplicate_refusal(request.user))
            return form_page(request, form)
        except ApiError as exc:
            return form_page(request, form, api_error=str(exc))
        messages.success(request, f"{prospect.email} was created in Klenty.")
        return redirect("prospects:detail", pk=prospect.pk)
    return form_page(request, form)


@require_http_methods(["GET", "POST"])
@any_role
def edit(request: HttpRequest, pk: int):
    prospect = visible_prospect(request, pk)
    target = klenty_target()
    data = request.POST if request.method == "POST" else None
    form = ProspectForm(
        data,
        user=request.user,
        team_emails=target.team_emails,
        outcomes=editing.known_outcomes(),
        editing=prospect,
    )
    if request.method == "POST" and form.is_valid():
        client = KlentyClient(target, actor=request.user)
        try:
            values = editing.fields_from_form(form.cleaned_data, request.user)
            editing.update_prospect(client, prospect, values)
        except ApiError as exc:
            return form_page(request, form, api_error=str(exc))
        messages.success(request, f"{prospect.email} was saved in Klenty.")
        return redirect("prospects:detail", pk=prospect.pk)
    return form_page(request, form)


@require_POST
@any_role
def custom_field(request: HttpRequest, pk: int):
    """Set one custom field value in Klenty ("Add value to a Prospect's Custom Field")."""
    prospect = visible_prospect(request, pk)
    form = CustomFieldForm(request.POST)
    context = {"prospect": prospect, "custom_form": form}
    if form.is_valid():
        key, value = form.cleaned_data["key"], form.cleaned_data["value"]
        try:
            editing.set_custom_field(
                KlentyClient.from_settings(actor=request.user), prospect, key, value
            )
        except ApiError as exc:
            context["custom_error"] = str(exc)
        else:
            context["custom_saved"] = key
            context["custom_form"] = CustomFieldForm()
    if not request.htmx:
        if context.get("custom_saved"):
            messages.success(request, f"{context['custom_saved']} was saved in Klenty.")
            return redirect("prospects:detail", pk=prospect.pk)
        page = form_page(request, _edit_form(request, prospect), **context)
        page.status_code = 400 if form.errors else 200
        return page
    return render(request, "prospects/form.html#custom_field", context)


def _edit_form(request: HttpRequest, prospect, data=None) -> ProspectForm:
    return ProspectForm(
        data,
        user=request.user,
        team_emails=klenty_target().team_emails,
        outcomes=editing.known_outcomes(),
        editing=prospect,
    )
