"""The prospects search page, its results fragment, the column chooser and the CSV export."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import push_url

from klentyadmin.accounts.roles import any_role
from klentyadmin.lib.csv_writer import csv_download, csv_response
from prospects.columns import COLUMNS, chosen_columns
from prospects.forms import ColumnsForm
from prospects.models import BulkAction, ColumnPreference
from prospects.search import ProspectSearch, export_rows, filter_options
from prospects.selection import InvalidSelection, checked_search
from saved_views.searches import applies_role_default

BULK_ACTIONS = [(value, label) for value, label in BulkAction.choices if value != BulkAction.IMPORT]


@require_GET
@any_role
@applies_role_default
def search(request: HttpRequest):
    query = ProspectSearch.from_params(request.GET)
    columns = chosen_columns(ColumnPreference.keys_for(request.user))
    results = query.results(request.user, columns)
    context = {
        "search": results.search,  # a page past the last one is answered with the last
        "results": results,
        "actions": BULK_ACTIONS,
        "all_columns": COLUMNS,
        "shown_keys": {c.key for c in columns},
    }
    if request.htmx and not request.htmx.boosted:
        response = render(request, "prospects/search.html#results", context)
        # The address bar holds the whole search, spelled the same way every time.
        return push_url(response, f"{request.path}?{results.search.query_string()}")
    context["options"] = filter_options(request.user)
    return render(request, "prospects/search.html", context)


@require_POST
@any_role
def save_columns(request: HttpRequest):
    """Store which columns this user's table shows ("reset" forgets the choice)."""
    form = ColumnsForm(request.POST)
    form.is_valid()
    if "reset" in request.POST:
        ColumnPreference.objects.filter(user=request.user).delete()
        messages.success(request, "The table shows its default columns again.")
    elif "columns" in form.errors:
        messages.error(request, "Choose columns from the list.")
    else:
        keys = [c.key for c in chosen_columns(form.cleaned_data["columns"])]
        ColumnPreference.objects.update_or_create(user=request.user, defaults={"columns": keys})
        messages.success(request, "Your columns are saved.")
    # Back to the same search, spelled by the search itself (never a foreign address).
    query = ProspectSearch.from_query_string(form.cleaned_data.get("query") or "").query_string()
    return redirect(f"{reverse('prospects:search')}{'?' if query else ''}{query}")


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
