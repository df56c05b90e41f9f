"""Who may reach which page. The full per-route matrix grows with every feature."""

from __future__ import annotations

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.core.test_route_access import PUBLIC

# Routes that must answer without a session: everything else redirects to login.
PUBLIC_ROUTES = set(PUBLIC)


def named_routes_without_arguments(resolver=None, namespace: str = "") -> list[str]:
    names = []
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.namespace == "admin":
                continue  # Django admin has its own login
            prefix = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            names += named_routes_without_arguments(entry, prefix)
        elif isinstance(entry, URLPattern) and entry.name and not entry.pattern.regex.groups:
            names.append(f"{namespace}{entry.name}")
    return names


ROUTES = named_routes_without_arguments()


def test_the_route_list_is_not_empty():
    assert {"home", "connections", "audit_log", "api_health"} <= set(ROUTES)


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(set(ROUTES) - PUBLIC_ROUTES))
def test_anonymous_is_sent_to_login_everywhere(client, name):
    url = reverse(name)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


ADMIN_ONLY = ["connections", "api_health"]


@pytest.mark.parametrize("name", ADMIN_ONLY)
def test_a_rep_cannot_reach_admin_pages(rep_client, name):
    assert rep_client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", ADMIN_ONLY)
def test_a_manager_cannot_reach_admin_pages(manager_client, name):
    assert manager_client.get(reverse(name)).status_code == 403


def test_a_rep_cannot_test_the_connection(rep_client):
    assert rep_client.post(reverse("test_connection")).status_code == 403


def test_a_rep_cannot_read_the_audit_log(rep_client):
    assert rep_client.get(reverse("audit_log")).status_code == 403


def test_a_manager_reads_the_audit_log(manager_client):
    assert manager_client.get(reverse("audit_log")).status_code == 200


@pytest.mark.parametrize("name", ADMIN_ONLY + ["audit_log", "home"])
def test_an_admin_reaches_every_page(admin_client, name):
    assert admin_client.get(reverse(name)).status_code == 200


def test_a_rep_does_not_see_admin_links_in_the_navigation(rep_client):
    body = rep_client.get(reverse("home")).content.decode()

    assert reverse("connections") not in body
    assert reverse("audit_log") not in body


def test_the_django_admin_refuses_a_rep(rep_client):
    response = rep_client.get("/admin/")

    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
