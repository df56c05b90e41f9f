"""The outcome funnel page: added → contacted → opened → replied → positive → meeting."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from klentyadmin.accounts.roles import any_role
from klentyadmin.integrations.klenty.target import klenty_target
from reporting import crm_stages, funnel, scope
from reporting.forms import PRESETS


@require_GET
@any_role
def outcome_funnel(request):
    cadences = scope.cadence_names(request.user)
    filters = scope.report_filters(request.user, request.GET, cadences=cadences)
    section = funnel.funnel_section(filters, request.user)
    context = {
        "filters": filters,
        "query": filters.query_string(),
        "outcome": section,
        "result": section.figures["funnel"],
        "crm": crm_stages.pushed_by_status(request.user, filters),
        "is_rep": not request.user.is_manager_or_admin,
    }
    if request.htmx:
        query = filters.params(sort="-replies", funnel="").urlencode()
        response = render(request, "reporting/funnel.html#result", context)
        return push_url(response, f"{reverse('reporting:funnel')}{'?' if query else ''}{query}")
    context.update(
        presets=PRESETS,
        cadence_choices=cadences,
        rep_choices=klenty_target().team_emails if request.user.is_manager_or_admin else (),
    )
    return render(request, "reporting/funnel.html", context)
