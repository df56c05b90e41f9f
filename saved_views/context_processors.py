from __future__ import annotations

from django.http import HttpRequest
from django.urls import reverse

from klentyadmin.accounts.middleware import ENROLLMENT_ROUTES


def pinned_views(request: HttpRequest) -> dict:
    """Where the layout loads the pinned views from, after the page (no query here).

    Not on the pages a user who must still enroll in two-factor sign-in is held to:
    there the request would be sent back to enrollment, and htmx would reload the
    page, again and again.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    match = getattr(request, "resolver_match", None)
    if match is not None and match.url_name in ENROLLMENT_ROUTES:
        return {}
    return {"pinned_views_url": reverse("saved_views:pinned")}
