"""The one polling helper: a progress partial, with 286 once the run is finished,
and the pair of views (a run's page, its polled progress) built on it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseStopPolling

from klentyadmin.accounts.roles import any_role

View = Callable[..., HttpResponse]


def poll_response(
    request: HttpRequest, template: str, context: dict, *, finished: bool
) -> HttpResponse:
    """Renders `template` (a page's progress partial, "page.html#progress"); once the
    run is finished the status is 286, which tells htmx to stop polling, while the
    body still carries the final figures."""
    response = render(request, template, context)
    if finished:
        response.status_code = HttpResponseStopPolling.status_code
    return response


def run_views(
    visible_runs: Callable[[Any], QuerySet],
    template: str,
    context: Callable[[Model], dict],
) -> tuple[View, View]:
    """A run's page and its progress partial (`template`'s "#progress"), for any role
    but only over the runs `visible_runs(user)` lets that user see (others are 404).
    `context(run)` must hold the run's "progress" (a `Progress`)."""

    @require_GET
    @any_role
    def page(request: HttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(visible_runs(request.user), pk=pk)
        return render(request, template, context(run))

    @require_GET
    @any_role
    def progress(request: HttpRequest, pk: int) -> HttpResponse:
        run = get_object_or_404(visible_runs(request.user), pk=pk)
        run_context = context(run)
        return poll_response(
            request,
            f"{template}#progress",
            run_context,
            finished=run_context["progress"].finished,
        )

    return page, progress
