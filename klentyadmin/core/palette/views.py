"""The palette's one endpoint: what the typed text finds, as JSON for palette.js."""

from __future__ import annotations

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from klentyadmin.accounts.roles import any_role
from klentyadmin.core.palette.providers import results_for


@require_GET
@any_role
def palette(request: HttpRequest) -> JsonResponse:
    entries = results_for(request.user, request.GET.get("q", ""))
    return JsonResponse({"results": [entry.as_json() for entry in entries]})
