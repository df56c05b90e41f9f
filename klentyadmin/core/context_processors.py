from __future__ import annotations

from django.http import HttpRequest

from klentyadmin.core.connections import klenty_target


def connection_mode(request: HttpRequest) -> dict:
    """Tells every page whether it is looking at the sandbox or the real Klenty."""
    if not getattr(request, "user", None) or not request.user.is_authenticated:
        return {}
    return {"klenty_target": klenty_target()}
