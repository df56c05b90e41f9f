"""Admin: Klenty's webhooks beside our copy; add, update, delete, and settle drift."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRedirect

from cadences import webhooks
from cadences.forms import KlentyIdForm, WebhookForm
from cadences.models import WebhookSubscription
from klentyadmin.accounts.roles import admin_required
from klentyadmin.core.confirm import ask_first
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.klenty import KlentyClient
from klentyadmin.lib.event_labels import event_label


def client_for(request: HttpRequest) -> KlentyClient:
    return KlentyClient.from_settings(actor=request.user)


def render_page(request: HttpRequest, form: WebhookForm | None = None, status: int = 200):
    remote, load_error = None, ""
    try:
        remote = client_for(request).get_webhooks()
    except ApiError as exc:
        load_error = str(exc)
    local = list(WebhookSubscription.objects.all())
    context = {
        "rows": webhooks.compare(local, remote),
        "load_error": load_error,
        "form": form or WebhookForm(),
        "edit_form": WebhookForm(),
    }
    return render(request, "cadences/webhooks.html", context, status=status)


@require_GET
@admin_required
def webhook_list(request: HttpRequest):
    return render_page(request)


def call_klenty(request: HttpRequest, action, success: str) -> bool:
    """Runs one change against Klenty, turning its failure into a message."""
    try:
        action()
    except (ApiError, webhooks.NoPublicUrl) as exc:
        messages.error(request, str(exc))
        return False
    messages.success(request, success)
    return True


@require_POST
@admin_required
def webhook_add(request: HttpRequest):
    form = WebhookForm(request.POST)
    if not form.is_valid():
        return render_page(request, form, status=400)
    event, url = form.cleaned_data["event"], form.cleaned_data["url"]

    def add():
        webhooks.add_webhook(client_for(request), event=event, url=url, user=request.user)

    if not call_klenty(request, add, f"Added the “{event_label(event)}” webhook."):
        return render_page(request, form, status=400)
    return redirect("cadences:webhooks")


@require_POST
@admin_required
def webhook_update(request: HttpRequest, pk: int):
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    form = WebhookForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            messages.error(request, errors[0])
        return redirect("cadences:webhooks")
    event, url = form.cleaned_data["event"], form.cleaned_data["url"]
    call_klenty(
        request,
        lambda: webhooks.update_webhook(client_for(request), subscription, event=event, url=url),
        f"Updated the webhook to “{event_label(event)}”.",
    )
    return redirect("cadences:webhooks")


@require_POST
@admin_required
def webhook_delete(request: HttpRequest, pk: int):
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    if asking := ask_first(
        request,
        f"Delete the “{event_label(subscription.event)}” webhook in Klenty?",
        f"Klenty stops sending “{event_label(subscription.event)}” events to it.",
        "cadences:webhooks",
    ):
        return asking
    call_klenty(
        request,
        lambda: webhooks.delete_webhook(client_for(request), subscription),
        f"Deleted the “{event_label(subscription.event)}” webhook.",
    )
    return redirect("cadences:webhooks")


@require_POST
@admin_required
def webhook_subscribe_all(request: HttpRequest):
    call_klenty(
        request,
        lambda: webhooks.subscribe_dashboard(client_for(request), request.user),
        "This dashboard now receives every Klenty event.",
    )
    return redirect("cadences:webhooks")


# -- drift ---------------------------------------------------------------------------


def listed_webhook(request: HttpRequest):
    """The webhook Klenty lists under the posted id, or None after saying why not."""
    form = KlentyIdForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the webhooks Klenty lists.")
        return None
    try:
        remote = {h.id: h for h in client_for(request).get_webhooks()}
    except ApiError as exc:
        messages.error(request, str(exc))
        return None
    hook = remote.get(form.cleaned_data["klenty_id"])
    if hook is None:
        messages.error(request, "Klenty no longer lists that webhook.")
    return hook


@require_POST
@admin_required
def webhook_adopt(request: HttpRequest):
    """Keeps Klenty's version of a webhook created or changed elsewhere."""
    hook = listed_webhook(request)
    if hook is not None:
        webhooks.adopt(hook, request.user)
        messages.success(request, f"Kept Klenty's “{event_label(hook.event)}” webhook.")
    return redirect("cadences:webhooks")


@require_POST
@admin_required
def webhook_delete_remote(request: HttpRequest):
    """Deletes, in Klenty, a webhook that was created elsewhere."""
    hook = listed_webhook(request)
    if hook is None:  # the message says why; from the Delete button's HTMX, a full reload
        url = reverse("cadences:webhooks")
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    if asking := ask_first(
        request,
        f"Delete this “{event_label(hook.event)}” webhook in Klenty?",
        "It was made outside this dashboard; whatever it feeds stops getting events.",
        "cadences:webhooks",
    ):
        return asking
    call_klenty(
        request,
        lambda: client_for(request).delete_webhook(hook.id),
        "Deleted the webhook in Klenty.",
    )
    return redirect("cadences:webhooks")


@require_POST
@admin_required
def webhook_forget(request: HttpRequest, pk: int):
    """Drops our copy of a webhook that was deleted in Klenty."""
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    if asking := ask_first(
        request,
        f"Forget our copy of the “{event_label(subscription.event)}” webhook?",
        "Its address stops accepting deliveries.",
        "cadences:webhooks",
        "Forget",
    ):
        return asking
    subscription.delete()
    messages.success(request, f"Forgot the “{event_label(subscription.event)}” webhook.")
    return redirect("cadences:webhooks")


@require_POST
@admin_required
def webhook_recreate(request: HttpRequest, pk: int):
    """Registers again, at the same URL, a webhook that was deleted in Klenty."""
    subscription = get_object_or_404(WebhookSubscription, pk=pk)
    call_klenty(
        request,
        lambda: webhooks.recreate(client_for(request), subscription),
        f"Registered the “{event_label(subscription.event)}” webhook again.",
    )
    return redirect("cadences:webhooks")
