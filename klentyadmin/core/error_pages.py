"""Our own 404 and 403 pages, under DEBUG too.

With DEBUG on (bin/run) Django answers a missing page with its technical 404 page,
which lists every URL pattern of the site: a page for developers, not for a Rep who
opened a prospect that is not theirs. This middleware answers with templates/404.html
instead, in the site's layout. A 403 already uses templates/403.html whatever DEBUG
says, and with DEBUG off Django itself renders 404.html: so it only acts under DEBUG.
"""

from __future__ import annotations

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotFound
from django.template.loader import render_to_string

TEMPLATE = "404.html"


def not_found(request: HttpRequest) -> HttpResponse:
    return HttpResponseNotFound(render_to_string(TEMPLATE, {}, request=request))


class FriendlyNotFoundMiddleware:
    """Goes after AuthenticationMiddleware (the page shows the signed-in user's menu)
    and before CommonMiddleware's slash redirect sees the answer, so inside it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # No view matched the path: the answer is Django's technical "Page not found".
        if (
            settings.DEBUG
            and response.status_code == 404
            and getattr(request, "resolver_match", None) is None
        ):
            return not_found(request)
        return response

    def process_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse | None:
        if settings.DEBUG and isinstance(exc, Http404):
            return not_found(request)
        return None
