"""Sign-in routes. allauth's views are mounted one by one under the names allauth
reverses, each with its role declared, rather than all of allauth.urls: sign-up,
password reset by email and email management have no place in this console."""

from allauth.account import views as allauth_account
from allauth.mfa.base import views as allauth_mfa
from allauth.mfa.recovery_codes import views as allauth_recovery_codes
from allauth.mfa.totp import views as allauth_totp
from allauth.socialaccount import views as allauth_social
from allauth.socialaccount.providers.openid_connect import views as allauth_oidc
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import path

from klentyadmin.accounts import views
from klentyadmin.accounts.roles import any_role

sign_in = views.SignInView.as_view()
sign_out = auth_views.LogoutView.as_view()

urlpatterns = [
    path("login/", sign_in, name="login"),
    path("login/", sign_in, name="account_login"),  # the name allauth's flows go back to
    path("logout/", sign_out, name="logout"),
    path("logout/", sign_out, name="account_logout"),
    path("password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path(
        "password/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    # OpenID Connect: to the provider and back.
    path("oidc/<str:provider_id>/login/", allauth_oidc.login, name="openid_connect_login"),
    path(
        "oidc/<str:provider_id>/login/callback/",
        allauth_oidc.callback,
        name="openid_connect_callback",
    ),
    path("oidc/cancelled/", allauth_social.login_cancelled, name="socialaccount_login_cancelled"),
    path(
        "oidc/error/",
        login_not_required(allauth_social.login_error),
        name="socialaccount_login_error",
    ),
    # Two-factor sign-in: the code step (before the session exists), then enrollment.
    path(
        "2fa/authenticate/",
        login_not_required(allauth_mfa.authenticate),
        name="mfa_authenticate",
    ),
    path("2fa/", any_role(allauth_mfa.index), name="mfa_index"),
    path("2fa/reauthenticate/", any_role(allauth_mfa.reauthenticate), name="mfa_reauthenticate"),
    path(
        "reauthenticate/", any_role(allauth_account.reauthenticate), name="account_reauthenticate"
    ),
    path(
        "2fa/totp/activate/",
        any_role(views.TwoFactorEnrollmentView.as_view()),
        name="mfa_activate_totp",
    ),
    path(
        "2fa/totp/deactivate/", any_role(allauth_totp.deactivate_totp), name="mfa_deactivate_totp"
    ),
    path(
        "2fa/recovery-codes/",
        any_role(allauth_recovery_codes.view_recovery_codes),
        name="mfa_view_recovery_codes",
    ),
    path(
        "2fa/recovery-codes/generate/",
        any_role(allauth_recovery_codes.generate_recovery_codes),
        name="mfa_generate_recovery_codes",
    ),
    path(
        "2fa/recovery-codes/download/",
        any_role(allauth_recovery_codes.download_recovery_codes),
        name="mfa_download_recovery_codes",
    ),
    # One's own time zone, which the pages' dates are shown in.
    path("time-zone/", views.time_zone, name="time_zone"),
    # Sessions: one's own, and signing them out.
    path("sessions/", any_role(views.SessionsView.as_view()), name="usersessions_list"),
    path(
        "sessions/sign-out-everywhere/",
        views.sign_out_everywhere,
        name="sign_out_everywhere",
    ),
]
