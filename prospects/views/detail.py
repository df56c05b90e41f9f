"""One prospect: the cached record, a refresh from Klenty, and its timeline."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from klentyadmin.accounts.roles import any_role
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.klenty import KlentyClient
from prospects import timeline
from prospects.editing import refresh_prospect
from prospects.models import Prospect


def visible_prospect(request: HttpRequest, pk: int) -> Prospect:
    """The prospect, or a 404 for one the user may not see (no hint that it exists)."""
    visible = Prospect.objects.visible_to(request.user).select_related("prospect_list")
    return get_object_or_404(visible, pk=pk)


@require_GET
@any_role
def detail(request: HttpRequest, pk: int):
    prospect = visible_prospect(request, pk)
    context = {"prospect": prospect, "timeline": timeline.timeline_page(prospect, request.user)}
    return render(request, "prospects/detail.html", context)


@require_GET
@any_role
def timeline_older(request: HttpRequest, pk: int):
    """The next page of the timeline ("Show older"): its entries under HTMX, else the
    whole page. A cursor that does not parse starts again from the newest, and says so."""
    prospect = visible_prospect(request, pk)
    cursor = timeline.Cursor.parse(request.GET.get("older", ""))
    context = {
        "prospect": prospect,
        "timeline": timeline.timeline_page(prospect, request.user, cursor),
        "timeline_error": ""
        if cursor
        else "That link to older entries is not one this page made; showing the newest.",
        "timeline_older_page": bool(cursor),
    }
    if request.htmx and cursor:
        return render(request, "prospects/_timeline.html#entries", context)
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
