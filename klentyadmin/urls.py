from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("", include("klentyadmin.core.urls")),
    path("accounts/", include("klentyadmin.accounts.urls")),
    path("prospects/", include("prospects.urls")),
    path("admin/", admin.site.urls),
]
