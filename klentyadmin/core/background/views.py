"""The one polling helper: a progress partial, with 286 once the run is finished."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_htmx.http import HttpResponseStopPolling


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
