"""No browser or proxy keeps a copy of what the dashboard answers.

Pages, HTMX fragments and CSV downloads behind sign-in carry prospects' personal data,
so a shared computer's cache or a proxy must not store them. The few answers outside
sign-in (the sign-in page, webhook replies, the unsubscribe page) are not worth keeping
either, so one rule covers every response and no route can be forgotten. Static files
are served before this middleware (WhiteNoise, runserver) and stay cacheable.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivateNoStoreMiddleware:
    """Near the top of MIDDLEWARE, so the answers of the middleware below it (the sign-in
    redirect, the lockout page, a refused CSRF token) are covered too."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, private=True, no_store=True)
        return response
