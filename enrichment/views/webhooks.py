"""Snov.io webhooks: subscribe to an event, switch one on or off, or delete it."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from enrichment.forms import WebhookForm
from enrichment.models import SnovEvent, SnovWebhook
from klentyadmin.accounts.roles import admin_required
from klentyadmin.core.confirm import ask_first
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.snov import SnovClient
from klentyadmin.lib.event_labels import event_label

WEBHOOK_ACTIONS = {"activate", "deactivate", "delete"}
WEBHOOKS = "enrichment:webhooks"


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
            label = event_label(f"{obj}.{action}")
            messages.success(request, f"Snov.io will send “{label}” events here.")
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
        events = f" for “{ours.label}”" if ours else ""
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
