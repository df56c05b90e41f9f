from __future__ import annotations

from django.http import HttpRequest

from klentyadmin.core.connections import klenty_target
from klentyadmin.core.navigation import nav_items_for


def layout(request: HttpRequest) -> dict:
    """What the shared layout needs: the navigation and whether we talk to the sandbox."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {
        "klenty_target": klenty_target(),
        "nav_items": nav_items_for(user, request.path),
    }
