"""The email finder: a name and a domain give an email, or a request to find one."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods, require_POST

from enrichment.forms import FinderForm, ProfileUrlForm
from enrichment.services import balance_or_none
from klentyadmin.accounts.roles import any_role, manager_required
from klentyadmin.integrations.errors import ApiError, ApiValidationError
from klentyadmin.integrations.snov.client import SnovClient
from klentyadmin.integrations.snov.types import CREDIT_COST


@require_http_methods(["GET", "POST"])
@any_role
def finder(request):
    form = FinderForm(request.POST or None)
    context: dict = {"form": form, "costs": CREDIT_COST, "url_form": ProfileUrlForm()}
    if request.method == "POST" and form.is_valid():
        client = SnovClient.from_settings(actor=request.user)
        try:
            context["result"] = client.email_finder(**form.cleaned_data)
            if request.POST.get("push") and not context["result"].found:
                client.add_names_to_find_emails(**form.cleaned_data)
                context["pushed"] = True
        except ApiError as exc:
            context["error"] = str(exc)
        context["balance"] = balance_or_none(client)
    template = "enrichment/finder.html#result" if request.htmx else "enrichment/finder.html"
    return render(request, template, context)


@require_POST
@manager_required
def profile_url(request):
    """A LinkedIn profile URL: "Add URL to search" (1 credit), then "Get prospect with
    URL" (free); "Check again" asks only the second, the search being paid for."""
    form = ProfileUrlForm(request.POST)
    context: dict = {"url_form": form, "costs": CREDIT_COST}
    if form.is_valid():
        url = form.cleaned_data["url"]
        client = SnovClient.from_settings(actor=request.user)
        try:
            if not form.cleaned_data["check_only"]:
                client.add_url_for_search(url)
            context["profiles"] = client.get_emails_from_url(url)
        except ApiValidationError:
            context["searching"] = True  # Snov.io: "not found yet"
        except ApiError as exc:
            context["url_error"] = str(exc)
        context["url"] = url
        context["balance"] = balance_or_none(client)
    template = "enrichment/finder.html#by_url" if request.htmx else "enrichment/finder.html"
    return render(request, template, {"form": FinderForm(), **context})
