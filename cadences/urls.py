from django.urls import path

from cadences.views import cadences, feed, webhooks

app_name = "cadences"

urlpatterns = [
    path("", cadences.cadence_list, name="list"),
    path("refresh/", cadences.refresh, name="refresh"),
    path("refresh/<int:pk>/", cadences.refresh_progress, name="refresh_progress"),
    path("add/", cadences.add_search, name="add_search"),
    path("<int:pk>/", cadences.detail, name="detail"),
    path("<int:pk>/steps/", cadences.steps, name="steps"),
    path("<int:pk>/act/", cadences.act, name="act"),
    path("activity/", feed.feed, name="feed"),
    path("activity/simulate/", feed.simulate, name="simulate"),
    path("webhooks/", webhooks.webhook_list, name="webhooks"),
    path("webhooks/add/", webhooks.webhook_add, name="webhook_add"),
    path("webhooks/subscribe/", webhooks.webhook_subscribe_all, name="webhook_subscribe"),
    path("webhooks/adopt/", webhooks.webhook_adopt, name="webhook_adopt"),
    path("webhooks/delete-remote/", webhooks.webhook_delete_remote, name="webhook_delete_remote"),
    path("webhooks/<int:pk>/update/", webhooks.webhook_update, name="webhook_update"),
    path("webhooks/<int:pk>/delete/", webhooks.webhook_delete, name="webhook_delete"),
    path("webhooks/<int:pk>/forget/", webhooks.webhook_forget, name="webhook_forget"),
    path("webhooks/<int:pk>/recreate/", webhooks.webhook_recreate, name="webhook_recreate"),
]
