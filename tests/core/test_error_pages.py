"""Error pages are in the site's layout, with the menu and a way back, and bin/run's
DEBUG=True never shows a user Django's technical 404 page."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.views.csrf import csrf_failure

from prospects.models import Prospect

TECHNICAL = ("URLconf", "Using the URLconf", "DEBUG = True", "Traceback")


def assert_our_page(response, status: int) -> str:
    assert response.status_code == status
    html = response.content.decode()
    assert 'data-testid="error-page"' in html
    assert 'href="/"' in html  # the way back
    for words in TECHNICAL:
        assert words not in html
    return html


@pytest.mark.django_db
def test_a_rep_opening_another_reps_prospect_under_debug_gets_our_404(
    settings, rep_client, other_rep_user
):
    settings.DEBUG = True
    theirs = Prospect.objects.create(
        email="someone@northwind.example", owner_email=other_rep_user.klenty_email
    )

    response = rep_client.get(reverse("prospects:detail", args=[theirs.pk]))

    html = assert_our_page(response, 404)
    assert "Page not found" in html
    assert 'aria-label="Main"' in html  # the menu


@pytest.mark.django_db
def test_a_path_no_route_matches_under_debug_gets_our_404(settings, rep_client):
    settings.DEBUG = True

    html = assert_our_page(rep_client.get("/no-such-page/"), 404)

    assert 'aria-label="Main"' in html


@pytest.mark.django_db
def test_a_path_without_its_slash_still_redirects_under_debug(settings, rep_client):
    settings.DEBUG = True

    response = rep_client.get("/prospects/jobs")

    assert response.status_code == 301
    assert response["Location"] == "/prospects/jobs/"


@pytest.mark.django_db
def test_a_403_is_our_page_with_the_menu(rep_client):
    html = assert_our_page(rep_client.get(reverse("audit_log")), 403)

    assert "Your role does not allow this page" in html
    assert 'aria-label="Main"' in html


@pytest.mark.django_db
def test_a_csrf_failure_is_our_page_with_the_menu(rep_user):
    request = RequestFactory().post("/prospects/new/")
    request.user = rep_user

    response = csrf_failure(request, reason="CSRF cookie not set.")

    html = assert_our_page(response, 403)
    assert "nothing was saved" in html
    assert 'aria-label="Main"' in html


def test_the_500_page_renders_without_a_request_or_the_database():
    # As Django's server_error renders it: no request, no context processors.
    html = render_to_string("500.html")

    assert "Something went wrong" in html
    assert 'href="/"' in html


def test_the_400_page_renders_without_a_request():
    html = render_to_string("400.html")

    assert "Bad request" in html
    assert 'href="/"' in html
