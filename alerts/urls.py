from django.urls import path

from alerts import views

app_name = "alerts"

urlpatterns = [
    path("", views.rule_list, name="rules"),
    path("new/", views.rule_create, name="create"),
    path("<int:pk>/edit/", views.rule_edit, name="edit"),
    path("<int:pk>/delete/", views.rule_delete, name="delete"),
    path("evaluate/", views.evaluate_now, name="evaluate"),
    path("history/", views.history, name="history"),
    path("firings/<int:pk>/snooze/", views.snooze, name="snooze"),
    path("firings/<int:pk>/act/", views.act, name="act"),
]
