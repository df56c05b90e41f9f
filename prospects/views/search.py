"""The prospects search page, its results fragment and the CSV export."""

from __future__ import annotations

from django.http import HttpRequest, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from klentyadmin.accounts.roles import any_role
from prospects.models import BulkAction
from prospects.search import ProspectSearch, export_lines, filter_options

BULK_ACTIONS = [(value, label) for value, label in BulkAction.choices if value != BulkAction.IMPORT]


@require_GET
@any_role
def search(request: HttpRequest):
    query = ProspectSearch.from_params(request.GET)
    context = {"search": query, "results": query.results(request.user), "actions": BULK_ACTIONS}
    if request.htmx and not request.htmx.boosted:
        response = render(request, "prospects/search.html#results", context)
        # The address bar holds the whole search, spelled the same way every time.
        return push_url(response, f"{request.path}?{query.query_string()}")
    context["options"] = filter_options(request.user)
    return render(request, "prospects/search.html", context)


@require_GET
@any_role
def export_csv(request: HttpRequest):
    query = ProspectSearch.from_params(request.GET)
    response = StreamingHttpResponse(
        export_lines(query, request.user), content_type="text/csv; charset=utf-8"
    )
    filename = f"prospects-{timezone.localdate():%Y-%m-%d}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
