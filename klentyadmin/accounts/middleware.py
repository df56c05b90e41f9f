from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django_htmx.http import HttpResponseClientRedirect

from klentyadmin.accounts.two_factor import must_enroll

# What a user who must enroll may still reach: enrollment itself, the recovery codes
# it hands out, signing in again (allauth asks before enrollment) and signing out.
ENROLLMENT_ROUTES = frozenset(
    {
        "mfa_activate_totp",
        "mfa_view_recovery_codes",
        "mfa_download_recovery_codes",
        "account_reauthenticate",
        "logout",
    }
)


class TwoFactorEnrollmentMiddleware:
    """Sends a user whose role must use two-factor sign-in (MFA_REQUIRED_ROLES) to
    enrollment, from every page, until they have enrolled."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is None or match.url_name in ENROLLMENT_ROUTES:
            return None
        user = request.user
        if not user.is_authenticated or not must_enroll(user):
            return None
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(reverse("mfa_activate_totp"))
        return redirect("mfa_activate_totp")


class UserTimeZoneMiddleware:
    """Shows every date and time of a signed-in user's request in their own zone
    (User.zone: the one they chose, else the site's), and no other request in it."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            return self.get_response(request)
        finally:
            # The zone is the thread's: left active, it would leak into the next request.
            timezone.deactivate()

    def process_view(self, request: HttpRequest, view_func, view_args, view_kwargs):
        # Here, not in __call__: the user is loaded first by DatabaseUnavailableMiddleware's
        # process_view, which answers a database outage with a 503 instead of a 500.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.time_zone:
            timezone.activate(user.zone)
        return None
