"""Pinned views in the navigation: each with a count computed now, in bounded queries."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saved_views.models import MAX_PINNED, PinnedView
from tests.prospects.test_search import make_prospect
from tests.saved_views.conftest import saved

PINNED = reverse("saved_views:pinned")
HTMX = {"HTTP_HX_REQUEST": "true"}


def pin(client, view, pinned="yes"):
    return client.post(reverse("saved_views:pin", args=[view.pk]), {"pinned": pinned})


def test_every_page_loads_the_pinned_views_and_the_menu_leads_to_the_views(rep_client):
    html = rep_client.get(reverse("home")).content.decode()

    assert f'hx-get="{PINNED}"' in html
    assert f'href="{reverse("saved_views:list")}"' in html


def test_a_pinned_view_shows_its_count_and_the_count_follows_the_cache(
    rep_client, rep_user, manager_user, team_prospects
):
    view = saved(manager_user, "Team replies", shared=True)
    pin(rep_client, view)

    before = rep_client.get(PINNED, **HTMX).content.decode()
    make_prospect(email="new@reply.example", prospect_status="Replied")  # a sync caches one more
    after = rep_client.get(PINNED, **HTMX).content.decode()

    assert "Team replies" in before
    assert 'data-testid="pinned-count">2<' in before  # the Rep's own two, not the team's four
    assert 'data-testid="pinned-count">3<' in after


def test_unpinning_takes_it_off_the_menu(rep_client, rep_user):
    view = saved(rep_user, "Mine")
    pin(rep_client, view)
    pin(rep_client, view, "no")

    assert "Mine" not in rep_client.get(PINNED, **HTMX).content.decode()


def test_a_view_no_longer_shared_leaves_the_menu(rep_client, manager_user, manager_client):
    view = saved(manager_user, "Team replies", shared=True)
    pin(rep_client, view)
    view.visibility = "personal"
    view.save()  # even without the share page tidying the pins

    assert "Team replies" not in rep_client.get(PINNED, **HTMX).content.decode()


def test_no_more_than_the_limit_can_be_pinned(rep_client, rep_user):
    views = [saved(rep_user, f"View {i}", query=f"q=v{i}") for i in range(MAX_PINNED + 1)]
    for view in views:
        pin(rep_client, view)

    assert PinnedView.objects.count() == MAX_PINNED
    html = rep_client.get(reverse("saved_views:list")).content.decode()
    assert f"You can pin up to {MAX_PINNED} views" in html


@pytest.mark.parametrize("size", [3, 120])
def test_the_menu_takes_one_query_for_the_pins_and_one_count_per_view(
    rep_client, rep_user, django_assert_max_num_queries, size
):
    for i in range(size):
        make_prospect(email=f"p{i}@seed.example", prospect_status="Replied" if i % 2 else "New")
    queries = ["status=Replied", "status=New", "q=seed", "company=Acme", "", "tag=none"]
    for i, query in enumerate(queries[:MAX_PINNED]):
        pin(rep_client, saved(rep_user, f"View {i}", query=query))

    # Session and user, the pins with their views, then one COUNT per pinned view.
    with django_assert_max_num_queries(2 + 1 + MAX_PINNED) as captured:
        html = rep_client.get(PINNED, **HTMX).content.decode()

    counts = [q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper()]
    assert len(counts) == MAX_PINNED
    assert html.count('data-testid="pinned-count"') == MAX_PINNED
    assert f'data-testid="pinned-count">{size // 2}<' in html


def test_the_two_factor_enrollment_page_does_not_load_the_pinned_views(db):
    # There the pinned views' request would be sent back to enrollment, and htmx
    # would reload the page, again and again.
    from klentyadmin.accounts.models import User
    from tests.conftest import signed_in_client

    admin = User.objects.create_user("newadmin", password="x", role="admin")  # not enrolled
    client = signed_in_client(admin)

    held = client.get(reverse("home"))
    page = client.get(reverse("account_reauthenticate"))  # the way to enrollment

    assert held.status_code == 302  # an Admin must enroll first
    assert page.status_code == 200
    assert 'data-testid="pinned-views"' not in page.content.decode()
