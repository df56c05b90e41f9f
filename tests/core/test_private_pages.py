"""Nothing behind sign-in may be kept by a browser's or a proxy's cache: pages, HTMX
fragments and CSV downloads all say `Cache-Control: private, no-store`. (The access
matrix, tests/core/test_route_access.py, checks every route as every role.)"""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.cache import patch_cache_control

pytestmark = pytest.mark.django_db


def assert_not_stored(response) -> None:
    directives = {d.strip() for d in response.get("Cache-Control", "").split(",")}
    assert {"private", "no-store"} <= directives, response.get("Cache-Control")
    assert "public" not in directives


def test_a_page_is_private_and_not_stored(manager_client):
    response = manager_client.get("/prospects/")

    assert response.status_code == 200
    assert_not_stored(response)


def test_an_htmx_fragment_is_private_and_not_stored(manager_client):
    response = manager_client.get("/prospects/", {"q": "ada"}, headers={"HX-Request": "true"})

    assert response.status_code == 200
    assert "<html" not in response.text
    assert_not_stored(response)


def test_a_csv_download_is_private_and_not_stored(manager_client):
    response = manager_client.get(reverse("prospects:export"))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert_not_stored(response)


def test_a_view_that_asks_for_public_caching_is_still_private(rf):
    from django.http import HttpResponse

    from klentyadmin.core.private_pages import PrivateNoStoreMiddleware

    def public_view(request):
        response = HttpResponse("hello")
        patch_cache_control(response, public=True, max_age=600)
        return response

    assert_not_stored(PrivateNoStoreMiddleware(public_view)(rf.get("/")))
