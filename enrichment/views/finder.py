"""The email finder: a name and a domain give an email, or a request to find one."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_http_methods

from enrichment.forms import FinderForm
from enrichment.services import balance_or_none
from klentyadmin.accounts.roles import any_role
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.snov.client import SnovClient
from klentyadmin.integrations.snov.types import CREDIT_COST


@require_http_methods(["GET", "POST"])
@any_role
def finder(request):
    form = FinderForm(request.POST or None)
    context: dict = {"form": form, "costs": CREDIT_COST}
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
