"""A query string with more fields than Django parses is answered 400 before anything
reads it.

Django refuses such a request with TooManyFieldsSent, a 400, but under DEBUG its error
page reads request.GET again to show it, fails the same way and answers 500; `bin/run`
runs with DEBUG. Counting the fields here, the way Django's parser does, gives every
setting the same plain 400.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest


def query_field_count(query_string: str) -> int:
    """The number of fields Django's parser counts (urllib's parse_qsl): one more than
    the separators, none in an empty query string."""
    return query_string.count("&") + 1 if query_string else 0


class QueryFieldLimitMiddleware:
    """First in MIDDLEWARE: no other middleware may have read request.GET yet."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FIELDS
        query_string = request.META.get("QUERY_STRING", "")
        if limit is not None and query_field_count(query_string) > limit:
            return HttpResponseBadRequest(
                f"This address has more than {limit:,} parameters, which is more than the "
                "dashboard accepts. Go back and try a shorter one.",
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)
