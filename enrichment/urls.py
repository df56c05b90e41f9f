from django.urls import path

from enrichment import hooks
from enrichment.views import campaigns, finder, search, settings, verify, webhooks

app_name = "enrichment"

urlpatterns = [
    path("", search.domain_search, name="domain_search"),
    path("find-emails/", search.find_emails, name="find_emails"),
    path("verify/", search.verify, name="verify"),
    path("send/", search.send, name="send"),
    path("finder/", finder.finder, name="finder"),
    path("verifier/", verify.verifier, name="verifier"),
    path("settings/", settings.snov_settings, name="settings"),
    path("settings/test/", settings.test_connection, name="test_connection"),
    path("hooks/<str:token>/", hooks.receive, name="hook"),
    path("campaigns/", campaigns.campaigns, name="campaigns"),
    path("campaigns/<int:campaign_id>/", campaigns.campaign, name="campaign"),
    path(
        "campaigns/<int:campaign_id>/recipient/",
        campaigns.recipient_status,
        name="recipient_status",
    ),
    path("webhooks/", webhooks.webhooks, name="webhooks"),
    path("webhooks/<int:snov_id>/", webhooks.webhook_action, name="webhook_action"),
    path("verify-prospects/", verify.verify_selection, name="verify_selection"),
    path("verify-prospects/<int:pk>/", verify.verification_run, name="verification_run"),
]
