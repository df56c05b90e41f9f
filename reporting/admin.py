from django.contrib import admin

from reporting.models import (
    Call,
    EngagementDay,
    PullRun,
    ReportDelivery,
    ReportSubscription,
    StepSnapshot,
)


@admin.register(PullRun)
class PullRunAdmin(admin.ModelAdmin):
    list_display = ["kind", "status", "started_at", "finished_at", "rows", "requests"]
    list_filter = ["kind", "status"]


@admin.register(EngagementDay)
class EngagementDayAdmin(admin.ModelAdmin):
    list_display = ["cadence_name", "day", "prospects_added", "opens", "replies"]
    list_filter = ["cadence_name"]
    date_hierarchy = "day"


@admin.register(StepSnapshot)
class StepSnapshotAdmin(admin.ModelAdmin):
    list_display = ["cadence_name", "taken_on", "range_start", "range_end"]


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ["call_sid", "username", "called_on", "disposition", "duration_seconds"]
    list_filter = ["disposition"]
    search_fields = ["call_sid", "username", "prospect_email"]
    show_full_result_count = False


@admin.register(ReportSubscription)
class ReportSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["user", "report", "frequency", "hour", "time_zone", "active", "next_send_at"]


@admin.register(ReportDelivery)
class ReportDeliveryAdmin(admin.ModelAdmin):
    list_display = ["label", "scheduled_for", "status", "attempts", "sent_at"]
    list_filter = ["status"]
