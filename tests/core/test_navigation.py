"""The main menu reaches the CSV import and the bulk jobs, for every role that may use them."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.core.test_route_access import ROUTES

MENU = 'aria-label="Main"'


def menu_of(client, path: str = "/") -> str:
    html = client.get(path).content.decode()
    start = html.index(MENU)
    return html[start : html.index("</nav>", start)]


def allowed(name: str) -> frozenset:
    return next(r for r in ROUTES if r.name == name).allowed_roles


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["rep_client", "manager_client", "admin_client"])
def test_the_menu_leads_to_the_import_and_the_bulk_jobs(who, request):
    client = request.getfixturevalue(who)

    menu = menu_of(client)

    for name, label in [("prospects:import", "Import"), ("prospects:jobs", "Bulk jobs")]:
        assert f'href="{reverse(name)}"' in menu
        assert f">{label}</a>" in menu


def test_every_role_may_open_the_import_and_the_bulk_jobs():
    # The menu offers them to everyone, so no role may be refused there.
    assert allowed("prospects:import") == allowed("prospects:jobs") == allowed("prospects:search")


@pytest.mark.django_db
def test_an_import_step_lights_import_not_prospects(rep_client):
    menu = menu_of(rep_client, reverse("prospects:import"))

    assert f'href="{reverse("prospects:import")}" aria-current="page"' in menu
    assert f'href="{reverse("prospects:search")}" aria-current' not in menu
