"""The prospects search page, its results fragment and the CSV export."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from klentyadmin.accounts.roles import any_role
from klentyadmin.lib.csv_writer import csv_download, csv_response
from prospects.models import BulkAction
from prospects.search import ProspectSearch, export_rows, filter_options
from prospects.selection import InvalidSelection, checked_search
from saved_views.searches import applies_role_default

BULK_ACTIONS = [(value, label) for value, label in BulkAction.choices if value != BulkAction.IMPORT]


@require_GET
@any_role
@applies_role_default
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
@csv_download
def export_csv(request: HttpRequest):
    try:
        query = checked_search(request.GET)
    except InvalidSelection as exc:
        # Exporting without the filter the search ignored would export more than was shown.
        messages.error(request, str(exc))
        return redirect(f"{reverse('prospects:search')}?{request.GET.urlencode()}")
    filename = f"prospects-{timezone.localdate():%Y-%m-%d}.csv"
    return csv_response(filename, export_rows(query, request.user), stream=True, bom=True)
