"""Snov.io campaigns: their list, one campaign's figures and activity, and a recipient's status."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from enrichment.forms import AnalyticsForm, RecipientStatusForm
from klentyadmin.accounts.roles import manager_required
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.snov import SnovClient

ACTIVITY = {
    "replies": "campaign_replies",
    "opens": "campaign_opens",
    "clicks": "campaign_clicks",
    "sent": "sent_emails",
    "completed": "completed_prospects",
}


@require_GET
@manager_required
def campaigns(request):
    client = SnovClient.from_settings(actor=request.user)
    context: dict = {"form": AnalyticsForm(request.GET or None)}
    try:
        context["campaigns"] = client.campaigns()
    except ApiError as exc:
        context["error"] = str(exc)
    return render(request, "enrichment/campaigns.html", context)


@require_GET
@manager_required
def campaign(request, campaign_id: int):
    client = SnovClient.from_settings(actor=request.user)
    form = AnalyticsForm(request.GET or None)
    tab = request.GET.get("tab", "replies")
    tab = tab if tab in ACTIVITY else "replies"
    context: dict = {"form": form, "campaign_id": campaign_id, "tab": tab, "tabs": ACTIVITY}
    try:
        if request.htmx and request.GET.get("tab"):
            context["rows"] = getattr(client, ACTIVITY[tab])(campaign_id)
            return render(request, "enrichment/campaign.html#activity", context)
        dates = form.cleaned_data if form.is_valid() else {}
        context["analytics"] = client.campaign_analytics(
            [campaign_id], dates.get("date_from"), dates.get("date_to")
        )
        context["figures"] = analytics_rows(context["analytics"])
        context["progress"] = client.campaign_progress(campaign_id)
        context["rows"] = getattr(client, ACTIVITY[tab])(campaign_id)
    except ApiError as exc:
        context["error"] = str(exc)
    context["status_form"] = RecipientStatusForm()
    return render(request, "enrichment/campaign.html", context)


def analytics_rows(analytics) -> list[tuple[str, int, float | None]]:
    """(label, count, rate) per documented figure, e.g. ("Email opens", 16, 70.0)."""
    return [
        (key.replace("_", " ").capitalize(), count, analytics.rates.get(key))
        for key, count in analytics.counts.items()
    ]


@require_POST
@manager_required
def recipient_status(request, campaign_id: int):
    form = RecipientStatusForm(request.POST)
    if form.is_valid():
        try:
            SnovClient.from_settings(actor=request.user).change_recipient_status(
                form.cleaned_data["email"], campaign_id, form.cleaned_data["status"]
            )
            messages.success(
                request, f"{form.cleaned_data['email']} is now {form.cleaned_data['status']}."
            )
        except ApiError as exc:
            messages.error(request, str(exc))
    else:
        messages.error(request, "Give a recipient's email and a status.")
    return redirect("enrichment:campaign", campaign_id=campaign_id)
