from django.contrib import admin

from cadences.models import Cadence, Event, WebhookSubscription


@admin.register(Cadence)
class CadenceAdmin(admin.ModelAdmin):
    list_display = ["name", "owners_text", "refreshed_at"]
    search_fields = ["name"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["event", "url", "klenty_id", "created_at"]
    exclude = ["token"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["event_type", "email", "cadence_name", "prospect_owner", "received_at"]
    list_filter = ["event_type"]
    search_fields = ["email", "cadence_name"]
    raw_id_fields = ["prospect", "subscription"]
