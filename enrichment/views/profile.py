"""Snov.io on a prospect's page: who Snov.io says the email belongs to (1 credit when
found) and where the email sits in our Snov.io lists and campaigns (free). Loaded
on click, by HTMX, into the panel `enrichment/_snov_profile.html` that the prospect
page includes; and one Snov.io prospect of a list, by its id."""

from __future__ import annotations

from django.shortcuts import render
from django.views.decorators.http import require_GET, require_POST

from klentyadmin.accounts.roles import manager_required
from klentyadmin.integrations.errors import ApiError, ApiValidationError
from klentyadmin.integrations.snov import SnovClient
from klentyadmin.integrations.snov.types import CREDIT_COST
from prospects.views.detail import visible_prospect

PANEL = "enrichment/_snov_profile.html#profile"


@require_POST
@manager_required
def snov_profile(request, pk: int):
    prospect = visible_prospect(request, pk)
    client = SnovClient.from_settings(actor=request.user)
    context: dict = {"prospect": prospect, "costs": CREDIT_COST, "loaded": True}
    try:
        context["profile"] = _or_none(client.get_profile_by_email, prospect.email)
        context["in_snov"] = _or_none(client.get_prospects_by_email, prospect.email) or []
    except ApiError as exc:
        context["error"] = str(exc)
    return render(request, PANEL, context)


def _or_none(call, *args):
    """The answer, or None where Snov.io says it has none (it answers "not found" as a
    refusal, and charges nothing for it)."""
    try:
        return call(*args)
    except ApiValidationError:
        return None


@require_GET
@manager_required
def list_prospect(request):
    """One prospect of a Snov.io list, by Snov.io's id (free)."""
    prospect_id = request.GET.get("id", "").strip()[:128]
    context: dict = {"loaded": True}
    if not prospect_id:
        context["error"] = "Choose a prospect of the list."
    else:
        try:
            client = SnovClient.from_settings(actor=request.user)
            context["profile"] = _or_none(client.get_prospect_by_id, prospect_id)
        except ApiError as exc:
            context["error"] = str(exc)
    return render(request, PANEL, context)
