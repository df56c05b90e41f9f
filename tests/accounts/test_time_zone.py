"""Each user's time zone: chosen from the known zones, and every request of theirs
shown in it; a user who never chose one keeps the site's."""

from __future__ import annotations

import time_machine
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from klentyadmin.accounts.middleware import UserTimeZoneMiddleware

URL = reverse("time_zone")


def zone_during_request(user) -> str:
    """The zone a view sees: Django runs the middleware's process_view, then the view."""
    request = RequestFactory().get("/")
    request.user = user

    def view(request):
        middleware.process_view(request, view, (), {})
        return HttpResponse(timezone.get_current_timezone_name())

    middleware = UserTimeZoneMiddleware(view)
    return middleware(request).content.decode()


def test_a_user_chooses_a_zone_and_their_requests_are_shown_in_it(rep_client, rep_user):
    response = rep_client.post(URL, {"time_zone": "Asia/Kolkata"})

    assert response.status_code == 302
    rep_user.refresh_from_db()
    assert rep_user.time_zone == "Asia/Kolkata"
    assert zone_during_request(rep_user) == "Asia/Kolkata"
    # The zone is the request's only: the thread is back on the site's zone after it.
    assert timezone.get_current_timezone_name() == "UTC"


def test_a_user_who_never_chose_keeps_the_sites_zone(rep_user, settings):
    assert rep_user.time_zone == ""
    assert zone_during_request(rep_user) == settings.TIME_ZONE
    assert rep_user.zone.key == settings.TIME_ZONE


def test_the_form_offers_the_current_zone_first_time(rep_client, settings):
    page = rep_client.get(URL).content.decode()

    assert '<option value="UTC" selected>' in page
    assert "Asia/Kolkata" in page


def test_an_unknown_zone_gets_a_field_error_and_changes_nothing(rep_client, rep_user):
    for bad in ("Mars/Olympus_Mons", "", "../../etc/passwd", "x" * 500):
        response = rep_client.post(URL, {"time_zone": bad})

        assert response.status_code == 200
        assert response.context["form"].errors["time_zone"]
        rep_user.refresh_from_db()
        assert rep_user.time_zone == ""


def test_choosing_the_sites_zone_is_stored_as_no_choice(rep_client, rep_user, settings):
    rep_user.time_zone = "Asia/Kolkata"
    rep_user.save()

    rep_client.post(URL, {"time_zone": settings.TIME_ZONE})

    rep_user.refresh_from_db()
    assert rep_user.time_zone == ""


def test_dates_on_pages_follow_the_users_zone(rep_client, rep_user):
    with time_machine.travel("2026-03-16 23:30 +0000", tick=False):
        before = rep_client.get(URL).content.decode()
        rep_user.time_zone = "Asia/Kolkata"
        rep_user.save()
        after = rep_client.get(URL).content.decode()

    assert "Monday 16 March 2026, 23:30" in before
    assert "Tuesday 17 March 2026, 05:00" in after
