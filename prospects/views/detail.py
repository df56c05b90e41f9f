"""One prospect: the cached record, a refresh from Klenty, and its activity."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from klentyadmin.accounts.roles import any_role
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.klenty import KlentyClient
from prospects.editing import refresh_prospect
from prospects.models import BulkJobItem, Prospect


def visible_prospect(request: HttpRequest, pk: int) -> Prospect:
    """The prospect, or a 404 for one the user may not see (no hint that it exists)."""
    visible = Prospect.objects.visible_to(request.user).select_related("prospect_list")
    return get_object_or_404(visible, pk=pk)


@require_GET
@any_role
def detail(request: HttpRequest, pk: int):
    prospect = visible_prospect(request, pk)
    activity = (
        BulkJobItem.objects.filter(prospect=prospect)
        .select_related("job", "job__created_by")
        .order_by("-job__created_at", "-id")[:50]
    )
    context = {"prospect": prospect, "activity": activity}
    return render(request, "prospects/detail.html", context)


@require_POST
@any_role
def refresh(request: HttpRequest, pk: int):
    prospect = visible_prospect(request, pk)
    error = ""
    try:
        refresh_prospect(KlentyClient.from_settings(actor=request.user), prospect)
    except ApiError as exc:
        error = str(exc)
        prospect.refresh_from_db()
    if not request.htmx:
        if error:
            messages.error(request, error)
        else:
            messages.success(request, "Refreshed from Klenty.")
        return redirect("prospects:detail", pk=prospect.pk)
    context = {"prospect": prospect, "refresh_error": error, "refreshed": not error}
    return render(request, "prospects/detail.html#record", context)
