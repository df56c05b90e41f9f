from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

# Django admin signs in through the console's own sign-in, second factor included.
admin.site.login = secure_admin_login(admin.site.login)

urlpatterns = [
    path("", include("klentyadmin.core.urls")),
    path("accounts/", include("klentyadmin.accounts.urls")),
    path("prospects/", include("prospects.urls")),
    path("cadences/", include("cadences.urls")),
    path("reports/", include("reporting.urls")),
    path("enrichment/", include("enrichment.urls")),
    path("contacts/", include("contacts.urls")),
    path("views/", include("saved_views.urls")),
    path("duplicates/", include("dedupe.urls")),
    path("alerts/", include("alerts.urls")),
    # Webhook deliveries from Klenty: no session, protected by a per-subscription token.
    path("hooks/", include("cadences.hook_urls")),
    path("admin/", admin.site.urls),
]
