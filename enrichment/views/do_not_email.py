"""Snov.io's Do-not-email List: add an email or a domain, with the reason.

Snov.io keeps no reason and offers no way to read the list back, so the page
shows what was added from here, from the audit log, where the client records
every write with its reason."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from enrichment.forms import DoNotEmailForm
from klentyadmin.accounts.roles import manager_required
from klentyadmin.core.models import AuditEntry
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.snov import SnovClient
from klentyadmin.integrations.snov.types import SERVICE

ACTION = "do_not_email_list"  # the audit action the client writes


@require_http_methods(["GET", "POST"])
@manager_required
def do_not_email(request):
    form = DoNotEmailForm(
        request.POST or None, initial={"list_id": settings.SNOV_DO_NOT_EMAIL_LIST_ID}
    )
    context: dict = {"form": form}
    if request.method == "POST" and form.is_valid():
        item = form.cleaned_data["item"]
        try:
            duplicates = SnovClient.from_settings(actor=request.user).add_to_do_not_email_list(
                [item], form.cleaned_data["list_id"], reason=form.cleaned_data["reason"]
            )
        except ApiError as exc:
            context["error"] = str(exc)
        else:
            if duplicates:
                messages.info(request, f"{item} was already on the Do-not-email List.")
            else:
                messages.success(request, f"{item} was added to the Do-not-email List.")
            return redirect("enrichment:do_not_email")
    context["added"] = AuditEntry.objects.filter(service=SERVICE, action=ACTION).order_by(
        "-created_at"
    )[:50]
    status = 400 if form.errors else 200
    return render(request, "enrichment/do_not_email.html", context, status=status)
