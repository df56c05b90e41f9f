"""Reports' health pages: deliverability (bounces, unsubscribes, sending capacity) and
when people answer (opens and replies by weekday and hour)."""

from __future__ import annotations

from django.conf import settings
from django.shortcuts import render
from django.views.decorators.http import require_GET

from klentyadmin.accounts.roles import any_role
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
