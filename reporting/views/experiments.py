"""The Experiments page: is one cadence, or one A/B option of a step, really better?"""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_htmx.http import push_url

from klentyadmin.accounts.roles import any_role
from reporting import experiment_data, scope
from reporting.forms import PRESETS


def canonical_url(request, filters) -> str:
    """The page's address: the range as the reports spell it, then what is compared."""
    query = filters.params(cadence=(), rep=(), sort="-replies", funnel="")
    for name in ("kind", "metric", "test"):
        if request.GET.get(name):
            query[name] = request.GET[name]
    query.setlist("arm", request.GET.getlist("arm"))
    encoded = query.urlencode()
    return f"{reverse('reporting:experiments')}{'?' if encoded else ''}{encoded}"


@require_GET
@any_role
def experiments(request):
    cadences = scope.cadence_names(request.user)
    filters = scope.report_filters(request.user, request.GET, cadences=cadences)
    tests = experiment_data.option_tests(filters)
    bound = bool({"kind", "arm", "test"} & request.GET.keys())
    form = experiment_data.ExperimentForm(
        request.GET if bound else None, cadences=cadences, tests=tests
    )
    context = {
        "form": form,
        "filters": filters,
        "presets": PRESETS,
        "experiment": experiment_data.run(form, filters) if bound else None,
        "is_rep": not request.user.is_manager_or_admin,
        "has_tests": bool(tests),
    }
    if request.htmx:
        response = render(request, "reporting/experiments.html#result", context)
        return push_url(response, canonical_url(request, filters))
    return render(request, "reporting/experiments.html", context)
