"""The reports page, its HTMX fragments and the charts' CSV downloads."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from klentyadmin.accounts.roles import any_role
from klentyadmin.integrations.klenty.target import klenty_target
from klentyadmin.lib.csv_writer import csv_download, csv_response
from reporting import charts, scope
from reporting.forms import PRESETS, ReportFilters

# Comparison-table column -> the prospects search parameters that list its prospects.
# Opens, clicks and sentiment are counted by Klenty per event, not per prospect we
# can search for, so those numbers carry no link.
PROSPECT_FILTERS: dict[str, dict[str, str]] = {
    "in_cadence": {"cadence_status": "In Cadence"},
    "completed": {"cadence_status": "Completed"},
    "replies": {"status": "Replied"},
    "bounces": {"status": "Bounced"},
    "unsubscribes": {"status": "Unsubscribed"},
}
COLUMN_LABELS = {
    "cadence": "Cadence",
    "prospects_added": "Added",
    "in_cadence": "In cadence",
    "completed": "Completed",
    "opens": "Opens",
    "clicks": "Clicks",
    "replies": "Replies",
    "bounces": "Bounces",
    "unsubscribes": "Unsubs",
    "positive": "Positive",
    "negative": "Negative",
    "reply_rate": "Reply rate",
}


def read_filters(request, cadences: list[str] | None = None) -> ReportFilters:
    return scope.report_filters(request.user, request.GET, cadences=cadences)


def canonical_url(filters: ReportFilters) -> str:
    """The page's address for these filters, without defaults or unused dates."""
    query = filters.query_string()
    return f"{reverse('reporting:dashboard')}{'?' if query else ''}{query}"


def prospects_url(cadence: str, column: str, filters: ReportFilters, base: str = "") -> str:
    params = {"cadence": cadence}
    if column == "prospects_added":
        params.update(created_from=filters.start.isoformat(), created_to=filters.end.isoformat())
    elif column in PROSPECT_FILTERS:
        params.update(PROSPECT_FILTERS[column])
    elif column != "cadence":
        return ""
    return f"{base or reverse('prospects:search')}?{urlencode(params)}"


def cell_text(column: str, value: Any) -> str:
    if column == "cadence":
        return value
    if column == "reply_rate":
        return "–" if value is None else f"{value}%"
    return f"{value:,}"


def comparison_table(section: charts.Section, filters: ReportFilters) -> dict[str, Any]:
    base = reverse("prospects:search")
    rows = [
        [
            {
                "text": cell_text(column, row[column]),
                "url": prospects_url(row["cadence"], column, filters, base),
                "num": column != "cadence",
            }
            for column in charts.COMPARISON_COLUMNS
        ]
        for row in section.figures["rows"]
    ]
    headers = []
    page, fragment = reverse("reporting:dashboard"), reverse("reporting:section", args=["cadences"])
    for column in charts.COMPARISON_COLUMNS:
        descending = f"-{column}"
        sort = column if filters.sort == descending else descending
        if column == "cadence":
            sort = "-cadence" if filters.sort == "cadence" else "cadence"
        query = filters.query_string(sort=sort)
        headers.append(
            {
                "label": COLUMN_LABELS[column],
                "column": column,
                "href": f"{page}?{query}",
                # htmx sends the filter form's current values, with this sort.
                "hx_get": fragment,
                "sort": sort,
                "active": filters.sort.lstrip("-") == column,
                "descending": filters.sort.startswith("-"),
            }
        )
    return {"headers": headers, "rows": rows}


def section_context(name: str, filters: ReportFilters, user) -> dict[str, Any]:
    section = charts.build_section(name, filters, user)
    context: dict[str, Any] = {name: section}
    if name == "cadences":
        context["comparison"] = comparison_table(section, filters)
    return context


def page_context(request, filters: ReportFilters, names=charts.SECTIONS) -> dict[str, Any]:
    context: dict[str, Any] = {
        "filters": filters,
        "query": filters.query_string(),
        "is_rep": not request.user.is_manager_or_admin,
    }
    for name in names:
        context.update(section_context(name, filters, request.user))
    return context


@require_GET
@any_role
def dashboard(request):
    cadences = scope.cadence_names(request.user)
    filters = read_filters(request, cadences)
    context = page_context(request, filters)
    if request.htmx:
        # The form sends every field; the address bar gets the tidy version.
        response = render(request, "reporting/dashboard.html#charts", context)
        return push_url(response, canonical_url(filters))
    context.update(
        presets=PRESETS,
        cadence_choices=cadences,
        rep_choices=klenty_target().team_emails if request.user.is_manager_or_admin else (),
    )
    return render(request, "reporting/dashboard.html", context)


@require_GET
@any_role
def section(request, name: str):
    """One section of the page (the funnel's cadence, the table's sort)."""
    if name not in charts.SECTIONS:
        raise Http404("No such section.")
    filters = read_filters(request)
    context = page_context(request, filters, names=[name])
    context["oob"] = True
    response = render(request, f"reporting/dashboard.html#section-{name}", context)
    return push_url(response, canonical_url(filters))


@require_GET
@any_role
@csv_download
def chart_csv(request, name: str):
    if name not in charts.CHART_SECTIONS:
        raise Http404("No such chart.")
    filters = read_filters(request)
    chart = charts.build_chart(name, filters, request.user)
    filename = f"{name}-{filters.start:%Y%m%d}-{filters.end:%Y%m%d}.csv"
    return csv_response(filename, [chart.columns, *chart.rows])
