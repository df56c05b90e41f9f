"""Reports' health pages: deliverability (bounces, unsubscribes, sending capacity) and
when people answer (opens and replies by weekday and hour)."""

from __future__ import annotations

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_GET

from klentyadmin.accounts.roles import any_role
from klentyadmin.lib.csv_writer import csv_download, csv_response
from reporting import answer_times as answers
from reporting import deliverability as health


@require_GET
@any_role
def deliverability(request):
    context = {
        "report": health.deliverability(request.user),
        "is_rep": not request.user.is_manager_or_admin,
        "warning": health.WARNING_PERCENT,
        "danger": health.DANGER_PERCENT,
        "stepwise_days": settings.REPORTS_STEPWISE_DAYS,
        "per_mail": health.PER_MAIL,
    }
    return render(request, "reporting/deliverability.html", context)


@require_GET
@any_role
def answer_times(request):
    context = {
        "report": answers.answer_times(request.user),
        "is_rep": not request.user.is_manager_or_admin,
        "days": answers.WINDOW_DAYS,
    }
    return render(request, "reporting/answer_times.html", context)


def health_csv_rows(name: str, user) -> list[list]:
    """The table behind one of the two pages' charts or tables, as its CSV has it."""
    if name in ("deliverability_reps", "deliverability_cadences"):
        report = health.deliverability(user)
        rows = report.reps if name == "deliverability_reps" else report.cadences
        return [health.HEALTH_COLUMNS, *health.health_table(rows)]
    if name == "deliverability_trend":
        chart = health.deliverability(user).trend
    elif name in ("answer_opens", "answer_replies"):
        chart = next(c for c in answers.answer_times(user).charts if c.name == name)
    else:
        raise Http404("No such table.")
    return [chart.columns, *chart.rows]


@require_GET
@any_role
@csv_download
def health_csv(request, name: str):
    return csv_response(f"{name}.csv", health_csv_rows(name, request.user))
