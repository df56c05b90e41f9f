"""django-allauth adapters: the project's rules for its sign-in flows."""

from __future__ import annotations

import time

from allauth.account import app_settings as account_settings
from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.internal.flows.login import get_authentication_records
from allauth.account.internal.flows.reauthentication import get_reauthentication_flows
from allauth.core import context
from allauth.core.exceptions import ImmediateHttpResponse
from allauth.socialaccount.adapter import DefaultSocialAccountAdapter
from allauth.socialaccount.models import SocialLogin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from klentyadmin.accounts import single_sign_on
from klentyadmin.accounts.models import Role, User
from klentyadmin.accounts.single_sign_on import SignInRefused


def refusal(request: HttpRequest, reason: str) -> HttpResponse:
    return render(request, "account/sign_in_refused.html", {"reason": reason}, status=403)


class AccountAdapter(DefaultAccountAdapter):
    def is_open_for_signup(self, request: HttpRequest) -> bool:
        # People are added by an Admin or arrive through single sign-on, never self-registered.
        return False

    def is_reauthentication_required(self, app: str = "") -> bool:
        """Not within ACCOUNT_REAUTHENTICATION_TIMEOUT of signing in (an Admin sent to
        enrollment straight after signing in is not asked for the password again), and
        not for a single sign-on account with no second factor yet: it has nothing to
        give here, its identity provider vouched for it at sign-in and the idle timeout
        bounds the session. Anyone else confirms with a password or a code."""
        request = context.request
        user = request.user
        records = get_authentication_records(request, user)
        if records and time.time() - records[-1]["at"] < account_settings.REAUTHENTICATION_TIMEOUT:
            return False
        if not get_reauthentication_flows(user):
            return False
        return super().is_reauthentication_required(app=app)

    def respond_user_inactive(self, request: HttpRequest, user) -> HttpResponse:
        return refusal(request, "This account has been switched off. Ask an Admin.")


class SingleSignOnAdapter(DefaultSocialAccountAdapter):
    """OpenID Connect: allowed domains only, the role from the group claim at every sign-in."""

    def pre_social_login(self, request: HttpRequest, sociallogin: SocialLogin) -> None:
        extra = sociallogin.account.extra_data
        email = (sociallogin.user.email or "").strip().lower()
        try:
            role = single_sign_on.role_for_groups(
                single_sign_on.groups_from_claims(
                    [extra.get("id_token") or {}, extra.get("userinfo") or {}]
                )
            )
            if not sociallogin.is_existing:
                single_sign_on.refuse_unless_domain_allowed(email)
        except SignInRefused as refused:
            raise ImmediateHttpResponse(refusal(request, str(refused))) from None
        sociallogin.user.role = role
        sociallogin.user.is_staff = role == Role.ADMIN
        if sociallogin.is_existing:
            sociallogin.user.save(update_fields=["role", "is_staff"])
            return
        # Someone an Admin already added signs in to the same account.
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None:
            existing.role, existing.is_staff = role, role == Role.ADMIN
            existing.save(update_fields=["role", "is_staff"])
            sociallogin.connect(request, existing)

    def is_open_for_signup(self, request: HttpRequest, sociallogin: SocialLogin) -> bool:
        return single_sign_on.domain_is_allowed(sociallogin.user.email or "")

    def list_apps(self, request: HttpRequest, provider=None, client_id=None) -> list:
        # Providers come from the environment only (OIDC_*): a client secret is never
        # stored in the database, so allauth's database-backed apps are left out.
        apps = super().list_apps(request, provider=provider, client_id=client_id)
        return [app for app in apps if app.pk is None]
