"""Sign-in, and the pages of one's own sessions.

The login page is the project's own (django-axes throttles its password form); a
correct password goes on through allauth's login flow, which asks for the second
factor when the user has enrolled, exactly as after an OpenID Connect sign-in.
"""

from __future__ import annotations

from allauth.account.internal.flows.login import perform_password_login
from allauth.account.models import Login
from allauth.mfa.totp.views import ActivateTOTPView
from allauth.socialaccount.adapter import get_adapter as get_social_adapter
from allauth.usersessions.internal.flows.sessions import end_sessions
from allauth.usersessions.models import UserSession
from allauth.usersessions.views import ListUserSessionsView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from klentyadmin.accounts.forms import LoginForm, TimeZoneForm
from klentyadmin.accounts.roles import any_role
from klentyadmin.accounts.two_factor import must_enroll


def sign_in_providers(request: HttpRequest) -> list[dict]:
    """The configured OpenID Connect providers, as the login page shows them."""
    return [
        {"name": app.name, "provider_id": app.provider_id}
        for app in get_social_adapter().list_apps(request, provider="openid_connect")
    ]


class SignInView(auth_views.LoginView):
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs) -> dict:
        context = super().get_context_data(**kwargs)
        context["local_passwords"] = settings.LOCAL_PASSWORDS
        context["providers"] = sign_in_providers(self.request)
        return context

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not settings.LOCAL_PASSWORDS:
            return redirect("login")
        return super().post(request, *args, **kwargs)

    def form_valid(self, form: LoginForm) -> HttpResponse:
        user = form.get_user()
        login = Login(user=user, redirect_url=self.get_success_url())
        return perform_password_login(self.request, {"username": user.get_username()}, login)


class TwoFactorEnrollmentView(ActivateTOTPView):
    """allauth's enrollment, saying so when the user's role leaves no choice."""

    def get_context_data(self, **kwargs) -> dict:
        return {**super().get_context_data(**kwargs), "must_enroll": must_enroll(self.request.user)}


class SessionsView(ListUserSessionsView):
    """allauth's list of the user's own sessions, with the idle timeout they run on."""

    def get_context_data(self, **kwargs) -> dict:
        return {**super().get_context_data(**kwargs), "idle_hours": settings.SESSION_IDLE_HOURS}


@require_POST
@any_role
def sign_out_everywhere(request: HttpRequest) -> HttpResponse:
    """Ends every session of this user, this one included."""
    end_sessions(request, list(UserSession.objects.filter(user=request.user)))
    return redirect("login")


@require_http_methods(["GET", "POST"])
@any_role
def time_zone(request: HttpRequest) -> HttpResponse:
    """One's own time zone, which every page's dates are then shown in."""
    user = request.user
    if request.method == "POST":
        form = TimeZoneForm(request.POST)
        if form.is_valid():
            form.save(user)
            messages.success(request, f"Dates and times are now shown in {user.zone.key}.")
            return redirect("time_zone")
    else:
        form = TimeZoneForm(initial={"time_zone": user.zone.key})
    return render(
        request, "account/time_zone.html", {"form": form, "site_zone": settings.TIME_ZONE}
    )
