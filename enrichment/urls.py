from django.urls import path

from enrichment import hooks
from enrichment.views import (
    campaigns,
    do_not_email,
    finder,
    lists,
    profile,
    search,
    settings,
    verify,
    webhooks,
)

app_name = "enrichment"

urlpatterns = [
    path("", search.domain_search, name="domain_search"),
    path("find-emails/", search.find_emails, name="find_emails"),
    path("verify/", search.verify, name="verify"),
    path("send/", search.send, name="send"),
    path("email-count/", search.email_count, name="email_count"),
    path("search-progress/", search.search_progress, name="search_progress"),
    path("finder/", finder.finder, name="finder"),
    path("finder/profile-url/", finder.profile_url, name="profile_url"),
    path("lists/", lists.lists, name="lists"),
    path("lists/add/", lists.add_to_list, name="add_to_list"),
    path("lists/prospect/", profile.list_prospect, name="list_prospect"),
    path("lists/<int:list_id>/", lists.snov_list, name="snov_list"),
    path("lists/<int:list_id>/send/", lists.send_list, name="send_list"),
    path("do-not-email/", do_not_email.do_not_email, name="do_not_email"),
    path("prospect/<int:pk>/profile/", profile.snov_profile, name="snov_profile"),
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
