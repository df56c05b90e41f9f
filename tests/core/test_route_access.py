"""Every route, every role: generated from the URL configuration, so a new route
that forgets its role check, or opens itself to anonymous users, fails here."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from klentyadmin.accounts.models import Role
from tests.core.test_private_pages import assert_not_stored

# The only views that answer without a session, and why.
PUBLIC = {
    "login": "the sign-in page",
    "account_login": "the sign-in page again, under the name django-allauth's flows use",
    "mfa_authenticate": "the second-factor step of a sign-in, before the session exists",
    "openid_connect_login": "single sign-on: off to the identity provider",
    "openid_connect_callback": "single sign-on: back from the identity provider",
    "socialaccount_login_cancelled": "single sign-on left at the identity provider",
    "socialaccount_login_error": "single sign-on that failed",
    "hooks:klenty": "Klenty's webhook deliveries, protected by a per-subscription token",
    "enrichment:hook": "Snov.io's webhook deliveries, protected by a per-subscription token",
    "reporting:unsubscribe": "the unsubscribe link in report emails, protected by a token",
}
# Django's own account views: any signed-in user, whatever the role.
ANY_SIGNED_IN = {"logout", "account_logout", "password_change", "password_change_done"}
DUMMY = {"int": 987654, "string": "no-such-token", "slug": "no-such-section"}


@dataclass(frozen=True)
class Route:
    name: str
    kwargs: dict
    callback: object

    def __str__(self) -> str:
        return self.name

    @property
    def url(self) -> str:
        return reverse(self.name, kwargs=self.kwargs)

    @property
    def allowed_roles(self) -> frozenset | None:
        return getattr(self.callback, "allowed_roles", None)


def routes(resolver=None, namespace: str = "") -> list[Route]:
    found = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django admin: staff only, its own login
            prefix = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            found += routes(entry, prefix)
        elif isinstance(entry, URLPattern) and entry.name:
            converters = entry.pattern.converters
            kwargs = {
                key: DUMMY[type(conv).__name__.removesuffix("Converter").lower()]
                for key, conv in converters.items()
            }
            found.append(Route(f"{namespace}{entry.name}", kwargs, entry.callback))
    return found


ROUTES = routes()
PRIVATE = [r for r in ROUTES if r.name not in PUBLIC]
ROLE_CHECKED = [r for r in PRIVATE if r.name not in ANY_SIGNED_IN]


def test_the_public_views_are_exactly_the_listed_ones():
    public = {r.name for r in ROUTES if getattr(r.callback, "login_required", True) is False}

    assert public == set(PUBLIC)


@pytest.mark.parametrize("route", ROLE_CHECKED, ids=str)
def test_every_route_declares_which_roles_may_use_it(route):
    assert route.allowed_roles, f"{route.name} has no role decorator (klentyadmin.accounts.roles)"


@pytest.mark.django_db
@pytest.mark.parametrize("method", ["get", "post"])
@pytest.mark.parametrize("route", PRIVATE, ids=str)
def test_anonymous_users_are_sent_to_sign_in(client, route, method):
    response = getattr(client, method)(route.url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


@pytest.fixture
def client_as(sandbox, settings, admin_user, manager_user, rep_user):
    from tests.conftest import signed_in_client

    settings.KLENTY_RATE_LIMIT_PER_MIN = settings.SNOV_RATE_LIMIT_PER_MIN = 100_000
    settings.CRM_RATE_LIMIT_PER_MIN = 100_000
    settings.API_BACKOFF_BASE, settings.API_BACKOFF_CAP = 0.01, 0.05
    users = {Role.ADMIN: admin_user, Role.MANAGER: manager_user, Role.REP: rep_user}
    return {role: signed_in_client(user) for role, user in users.items()}


@pytest.mark.parametrize("route", ROLE_CHECKED, ids=str)
def test_each_role_gets_its_answer_and_nobody_a_server_error(client_as, route):
    for role, client in client_as.items():
        allowed = role in route.allowed_roles
        for method in ("get", "post"):
            # An allowed role's empty POST is a form sent blank: field errors, a 4xx
            # or a redirect, never a server error.
            response = getattr(client, method)(route.url)
            # Whatever the answer, no cache may keep it (it is behind sign-in).
            assert_not_stored(response)
            if allowed:
                assert response.status_code != 403, f"{role} refused {route.name}"
                assert response.status_code < 500, f"{role} {method} {route.name}"
            else:
                # Refused before anything happens: by the role check (403), or by the
                # method check that wraps it (405) for a method the view never takes.
                assert response.status_code in (403, 405), f"{role} {method} {route.name}"


def test_admin_only_routes_include_the_sensitive_ones():
    admin_only = {r.name for r in ROLE_CHECKED if r.allowed_roles == {Role.ADMIN}}

    assert {
        "connections",
        "test_connection",
        "api_health",
        "cadences:webhooks",
        "contacts:settings",
        "enrichment:settings",
        "failure_detail",
    } <= admin_only
