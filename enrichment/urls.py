from django.urls import path

from enrichment import hooks, views, views_more

app_name = "enrichment"

urlpatterns = [
    path("", views.domain_search, name="domain_search"),
    path("find-emails/", views.find_emails, name="find_emails"),
    path("verify/", views.verify, name="verify"),
    path("send/", views.send, name="send"),
    path("finder/", views.finder, name="finder"),
    path("verifier/", views.verifier, name="verifier"),
    path("settings/", views.snov_settings, name="settings"),
    path("settings/test/", views.test_connection, name="test_connection"),
    path("hooks/<str:token>/", hooks.receive, name="hook"),
    path("campaigns/", views_more.campaigns, name="campaigns"),
    path("campaigns/<int:campaign_id>/", views_more.campaign, name="campaign"),
    path(
        "campaigns/<int:campaign_id>/recipient/",
        views_more.recipient_status,
        name="recipient_status",
    ),
    path("webhooks/", views_more.webhooks, name="webhooks"),
    path("webhooks/<int:snov_id>/", views_more.webhook_action, name="webhook_action"),
    path("verify-prospects/", views_more.verify_selection, name="verify_selection"),
    path("verify-prospects/<int:pk>/", views_more.verification_run, name="verification_run"),
]
