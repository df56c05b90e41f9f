from django.urls import path

from klentyadmin.core import views
from klentyadmin.core.palette import views as palette_views

urlpatterns = [
    path("", views.home, name="home"),
    path("system/", views.system, name="system"),
    path("settings/connections/", views.connections, name="connections"),
    path("settings/connections/test/", views.test_connection, name="test_connection"),
    path("settings/api-health/", views.api_health, name="api_health"),
    path("audit/", views.audit_log, name="audit_log"),
    path("audit/export.csv", views.audit_log_export, name="audit_log_export"),
    path("failures/<str:task_id>/", views.failure_detail, name="failure_detail"),
    path("palette/", palette_views.palette, name="palette"),
]
