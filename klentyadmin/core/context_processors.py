from __future__ import annotations

from django.http import HttpRequest
from django.utils.functional import SimpleLazyObject

from klentyadmin.core.navigation import nav_items_for
from klentyadmin.integrations.klenty.target import klenty_target


def layout(request: HttpRequest) -> dict:
    """What the shared layout needs: the navigation and whether we talk to the sandbox.

    Lazy, because HTMX fragments (search as you type, progress polls) render a
    partial that uses neither: they should not pay for the Connection query.
    """
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "klenty_target": SimpleLazyObject(klenty_target),
        "nav_items": SimpleLazyObject(lambda: nav_items_for(user, request.path)),
    }
