from django.urls import path

from contacts import views

app_name = "contacts"

urlpatterns = [
    path("", views.contact_list, name="list"),
    path("import/", views.import_confirm, name="import_confirm"),
    path("import/start/", views.import_start, name="import_start"),
    path("push/", views.push_choose, name="push_choose"),
    path("push/confirm/", views.push_confirm, name="push_confirm"),
    path("push/start/", views.push_start, name="push_start"),
    path("transfers/", views.transfers, name="transfers"),
    path("transfers/<int:pk>/", views.transfer, name="transfer"),
    path("transfers/<int:pk>/progress/", views.transfer_progress, name="transfer_progress"),
    path("transfers/<int:pk>/retry/", views.transfer_retry, name="transfer_retry"),
    path("settings/", views.crm_settings, name="settings"),
    path("settings/test/", views.test_connection, name="test_connection"),
]
