"""Snov.io campaigns (reporting), webhooks, and "Verify the emails of these prospects"."""

from __future__ import annotations

from django.contrib import messages
from django.http import QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrichment import verification
from enrichment.forms import AnalyticsForm, RecipientStatusForm, VerifySelectionForm, WebhookForm
from enrichment.models import SnovEvent, SnovWebhook, VerificationItem, VerificationRun
from klentyadmin.accounts.roles import admin_required, any_role, manager_required
from klentyadmin.core import background
from klentyadmin.core.background.views import poll_response
from klentyadmin.core.confirm import ask_first
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.snov import CREDIT_COST, SnovClient
from prospects.selection import InvalidSelection, resolve_selection

ACTIVITY = {
    "replies": "campaign_replies",
    "opens": "campaign_opens",
    "clicks": "campaign_clicks",
    "sent": "sent_emails",
    "completed": "completed_prospects",
}
WEBHOOK_ACTIONS = {"activate", "deactivate", "delete"}
WEBHOOKS = "enrichment:webhooks"


# -- campaigns ------------------------------------------------------------------------


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


# -- webhooks -------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@admin_required
def webhooks(request):
    client = SnovClient.from_settings(actor=request.user)
    form = WebhookForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        obj, action = form.cleaned_data["event"]
        local = SnovWebhook.objects.create(event_object=obj, event_action=action)
        url = request.build_absolute_uri(reverse("enrichment:hook", args=[local.token]))
        try:
            local.snov_id = client.add_webhook(obj, action, url).id
            local.save(update_fields=["snov_id"])
            messages.success(request, f"Snov.io will send {obj}.{action} events here.")
        except ApiError as exc:
            local.delete()
            messages.error(request, str(exc))
        return redirect("enrichment:webhooks")
    context: dict = {"form": form}
    try:
        remote = client.webhooks()
        ours = {w.snov_id: w for w in SnovWebhook.objects.filter(snov_id__isnull=False)}
        context["hooks"] = [(h, ours.get(h.id)) for h in remote]
    except ApiError as exc:
        context["error"] = str(exc)
    context["events"] = SnovEvent.objects.select_related("webhook")[:50]
    return render(request, "enrichment/webhooks.html", context)


@require_POST
@admin_required
def webhook_action(request, snov_id: int):
    action = request.POST.get("action")
    if action not in WEBHOOK_ACTIONS:
        messages.error(request, "Choose activate, deactivate or delete.")
        return redirect("enrichment:webhooks")
    if action == "delete":
        ours = SnovWebhook.objects.filter(snov_id=snov_id).first()
        events = f" for {ours}" if ours else ""
        question = f"Delete the Snov.io webhook{events}?"
        if asking := ask_first(request, question, "Snov.io stops sending its events.", WEBHOOKS):
            return asking
    client = SnovClient.from_settings(actor=request.user)
    try:
        if action == "delete":
            client.delete_webhook(snov_id)
            SnovWebhook.objects.filter(snov_id=snov_id).delete()
        else:
            client.change_webhook_status(snov_id, active=action == "activate")
    except ApiError as exc:
        messages.error(request, str(exc))
    return redirect("enrichment:webhooks")


# -- "Verify the emails of these prospects" ----------------------------------------------


def selection_data(post: QueryDict) -> QueryDict:
    """The search page posts ticked rows as repeated `prospect_ids` plus a `scope`;
    this form keeps them comma-separated, and `query` only for "all matching"."""
    if "scope" not in post:
        return post
    data = post.copy()
    data["prospect_ids"] = ",".join(post.getlist("prospect_ids"))
    if post.get("scope") != "all":
        data["query"] = ""
    data.setdefault("tag", VerifySelectionForm.base_fields["tag"].initial)
    return data


@require_POST
@any_role
def verify_selection(request):
    """From a Klenty search selection: confirm (cost, count), then queue the run."""
    form = VerifySelectionForm(selection_data(request.POST))
    if not form.is_valid():
        return render(request, "enrichment/verify_selection.html", {"form": form, "count": 0})
    data = form.cleaned_data
    selection = {
        "scope": "all" if data["query"] else "selected",
        "query": data["query"],
        "prospect_ids": data["prospect_ids"],
    }
    try:
        prospects = resolve_selection(selection, request.user).prospects
    except InvalidSelection as exc:
        form.add_error(None, str(exc))
        return render(request, "enrichment/verify_selection.html", {"form": form, "count": 0})
    ids = list(prospects.values_list("pk", flat=True)[:5000])
    if not ids:
        form.add_error(None, "None of the chosen prospects are yours to verify.")
        return render(request, "enrichment/verify_selection.html", {"form": form, "count": 0})
    if not request.POST.get("confirm"):
        context = {
            "form": form,
            "count": len(ids),
            "cost": CREDIT_COST["add_emails_to_verification"],
        }
        return render(request, "enrichment/verify_selection.html", context)
    run = verification.create_verification_run(
        user=request.user, prospect_ids=ids, tag=data["tag"], mark_dnc=data["mark_dnc"]
    )
    return redirect("enrichment:verification_run", pk=run.pk)


@require_GET
@any_role
def verification_run(request, pk: int):
    runs = VerificationRun.objects.select_related("tag_job", "dnc_job")
    if not request.user.is_manager_or_admin:
        runs = runs.filter(created_by=request.user)
    run = get_object_or_404(runs, pk=pk)
    context = {
        "run": run,
        "progress": background.get("snov_verification").progress(run),
        "items": run.items.exclude(state__in=[VerificationItem.State.PENDING])[:1000],
    }
    if request.htmx:
        return poll_response(
            request, "enrichment/verification_run.html#progress", context, finished=run.finished
        )
    return render(request, "enrichment/verification_run.html", context)
