from django.contrib import admin

from cadences.models import Cadence, Event, WebhookSubscription
from klentyadmin.lib.hook_tokens import redact_hook_tokens


@admin.register(Cadence)
class CadenceAdmin(admin.ModelAdmin):
    list_display = ["name", "owners_text", "refreshed_at"]
    search_fields = ["name"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["event", "masked_url", "klenty_id", "created_at"]
    exclude = ["token", "url"]
    readonly_fields = ["masked_url"]

    @admin.display(description="URL")
    def masked_url(self, subscription: WebhookSubscription) -> str:
        return redact_hook_tokens(subscription.url)


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["event_type", "email", "cadence_name", "prospect_owner", "received_at"]
    list_filter = ["event_type"]
    search_fields = ["email", "cadence_name"]
    raw_id_fields = ["prospect", "subscription"]
