"""Saved views: saving from the prospects page, opening, the header, access and bad input."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saved_views.models import PinnedView, RoleDefaultView, SavedView, Visibility
from saved_views.searches import normalised_query
from tests.saved_views.conftest import saved

PROSPECTS = reverse("prospects:search")
CREATE = reverse("saved_views:create")
HTMX = {"HTTP_HX_REQUEST": "true"}


def emails(response) -> set[str]:
    return {row.email for row in response.context["results"].rows}


def open_url(view) -> str:
    return reverse("saved_views:open", args=[view.pk])


# -- the stored query string ----------------------------------------------------


def test_the_stored_query_is_the_prospect_searchs_own_spelling():
    query = normalised_query(
        "q=+ada+&status=Replied&list=&sort=name&page=3&created_from=2026-01-02"
    )

    # Spaces trimmed, blanks, the default sort and the page dropped, in the search's order.
    assert query == "q=ada&status=Replied&created_from=2026-01-02"


def test_parameters_the_search_does_not_know_are_kept_as_given():
    # The search spells what it knows (the page size among it) first; a view keeps
    # whatever else the page's URL holds after it, in a stable order, blanks dropped.
    query = normalised_query("status=Replied&per_page=100&columns=email&columns=owner&zoom=")

    assert query == "status=Replied&per_page=100&columns=email&columns=owner"


def test_a_filter_that_does_not_parse_cannot_be_saved(manager_client, team_prospects):
    response = manager_client.post(CREATE, {"name": "Recent", "query": "created_from=yesterday"})

    assert response.status_code == 200
    assert "created_from" in response.content.decode()
    assert 'role="alert"' in response.content.decode()
    assert not SavedView.objects.exists()


# -- saving and opening -----------------------------------------------------------


def test_save_this_view_is_on_the_prospects_page_with_the_current_search(
    manager_client, team_prospects
):
    response = manager_client.get(PROSPECTS, {"status": "Replied", "tag": ""}, **HTMX)

    html = response.content.decode()
    assert 'data-testid="save-view"' in html
    assert 'name="query" value="status=Replied&amp;tag="' in html


def test_a_manager_saves_the_search_and_it_opens_as_a_private_view(
    manager_client, manager_user, team_prospects
):
    response = manager_client.post(
        CREATE, {"name": "Replied", "query": "status=Replied&tag=&page=2"}
    )

    view = SavedView.objects.get()
    assert (view.owner, view.name, view.query) == (manager_user, "Replied", "status=Replied")
    assert view.visibility == Visibility.PERSONAL
    assert response.status_code == 302
    assert response["Location"] == open_url(view)

    opened = manager_client.get(open_url(view))
    html = opened.content.decode()
    assert emails(opened) == {
        p.email for key, p in team_prospects.items() if key != "priya_bounced"
    }
    assert 'data-testid="view-visibility">Private view<' in html
    assert "yours, only you see it" in html


def test_a_manager_may_save_a_view_shared_at_once(manager_client, team_prospects):
    manager_client.post(CREATE, {"name": "Team replies", "query": "status=Replied", "shared": "on"})

    assert SavedView.objects.get().visibility == Visibility.SHARED


def test_a_rep_cannot_save_a_shared_view(rep_client, team_prospects):
    rep_client.post(CREATE, {"name": "Mine", "query": "status=Replied", "shared": "on"})

    assert SavedView.objects.get().visibility == Visibility.PERSONAL


def test_names_are_unique_per_owner_whatever_their_case(
    manager_client, manager_user, rep_client, team_prospects
):
    saved(manager_user, "Replied")

    response = manager_client.post(CREATE, {"name": "  REPLIED ", "query": "status=Bounced"})

    assert response.status_code == 200
    assert "You already have a view called “REPLIED”" in response.content.decode()
    assert SavedView.objects.count() == 1
    # Someone else may use the same name.
    assert rep_client.post(CREATE, {"name": "Replied", "query": ""}).status_code == 302
    assert SavedView.objects.count() == 2


def test_a_name_taken_in_a_race_is_a_field_error_not_a_server_error(manager_user, monkeypatch):
    from saved_views import forms

    saved(manager_user, "Replied")
    monkeypatch.setattr(forms, "name_taken", lambda *args, **kwargs: False)
    form = forms.SaveViewForm({"name": "replied", "query": ""}, owner=manager_user)

    assert form.is_valid()
    assert form.save() is None
    assert "already have a view" in str(form.errors["name"])


def test_the_views_other_parameters_reach_the_prospects_page(manager_client, manager_user):
    view = saved(manager_user, query="status=Replied&columns=email&per_page=100")

    response = manager_client.get(open_url(view))

    assert response.wsgi_request.GET.getlist("columns") == ["email"]
    assert response.wsgi_request.GET["per_page"] == "100"


def test_the_pages_own_parameters_win_and_the_header_says_the_view_changed(
    manager_client, manager_user, team_prospects
):
    view = saved(manager_user)

    same = manager_client.get(open_url(view), {"page": "1"}).content.decode()
    other = manager_client.get(open_url(view), {"status": "Bounced"})

    assert 'data-testid="changed-note"' not in same
    assert 'data-testid="changed-note"' in other.content.decode()
    assert emails(other) == {team_prospects["priya_bounced"].email}


def test_a_views_results_fragment_keeps_its_header(manager_client, manager_user, team_prospects):
    view = saved(manager_user, shared=True)

    response = manager_client.get(open_url(view), {"page": "1"}, **HTMX)

    assert 'data-testid="view-visibility">Shared with the team<' in response.content.decode()
    assert "<html" not in response.content.decode()


# -- bad filters: shown, never widened --------------------------------------------


@pytest.mark.parametrize(
    "query", ["status=Replied&created_from=2026-13-45", "list=abc", "q=" + "x" * 201]
)
def test_a_view_whose_filters_no_longer_parse_opens_with_the_error_and_no_rows(
    manager_client, manager_user, team_prospects, query
):
    view = saved(manager_user, "Broken", query=query)

    response = manager_client.get(open_url(view))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="view-error"' in html
    assert "do not apply" in html
    assert 'data-testid="view-visibility">Private view<' in html
    assert "results" not in response.context  # no prospects shown, so none too many
    for prospect in team_prospects.values():
        assert prospect.email not in html


def test_a_pinned_view_whose_filters_no_longer_parse_says_so_instead_of_a_count(
    manager_client, manager_user, team_prospects
):
    view = saved(manager_user, "Broken", query="created_from=never")
    PinnedView.objects.create(user=manager_user, view=view)

    html = manager_client.get(reverse("saved_views:pinned"), **HTMX).content.decode()

    assert "filters no longer apply" in html


# -- who sees what ------------------------------------------------------------------


def test_a_rep_opening_a_shared_view_sees_only_their_own_prospects(
    rep_client, manager_user, team_prospects
):
    view = saved(manager_user, "Team replies", shared=True)

    response = rep_client.get(open_url(view))

    html = response.content.decode()
    assert emails(response) == {
        team_prospects["priya_replied"].email,
        team_prospects["priya_replied_2"].email,
    }
    assert 'data-testid="view-visibility">Shared with the team<' in html
    assert "by Morgan" in html or f"by {manager_user.username}" in html


def test_a_shared_view_filtered_on_another_owner_shows_a_rep_nothing_of_theirs(
    rep_client, manager_user, team_prospects
):
    view = saved(
        manager_user, "Diego's", query="owner=diego.alvarez%40northwind.example", shared=True
    )

    response = rep_client.get(open_url(view))

    assert emails(response) == set()
    assert team_prospects["diego_replied"].email not in response.content.decode()


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("saved_views:open", "get"),
        ("saved_views:rename", "get"),
        ("saved_views:rename", "post"),
        ("saved_views:delete", "post"),
        ("saved_views:pin", "post"),
    ],
)
def test_another_persons_private_view_is_not_found(rep_client, manager_user, name, method):
    view = saved(manager_user, "Private")

    response = getattr(rep_client, method)(
        reverse(name, args=[view.pk]), {"name": "Mine now", "confirmed": "yes", "pinned": "yes"}
    )

    assert response.status_code == 404
    view.refresh_from_db()
    assert view.name == "Private"
    assert not PinnedView.objects.exists()


def test_another_managers_private_view_cannot_be_shared(manager_client, admin_user):
    view = saved(admin_user, "Admin's")

    response = manager_client.post(
        reverse("saved_views:share", args=[view.pk]), {"visibility": "shared"}
    )

    assert response.status_code == 404
    view.refresh_from_db()
    assert view.visibility == Visibility.PERSONAL


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("saved_views:rename", {"name": "Mine now"}),
        ("saved_views:delete", {"confirmed": "yes"}),
        ("saved_views:share", {"visibility": "personal"}),
    ],
)
def test_a_rep_cannot_change_a_shared_view_they_do_not_own(rep_client, manager_user, name, data):
    view = saved(manager_user, "Team replies", shared=True)

    response = rep_client.post(reverse(name, args=[view.pk]), data)

    assert response.status_code == 403
    view.refresh_from_db()
    assert (view.name, view.visibility) == ("Team replies", Visibility.SHARED)


def test_a_manager_cannot_change_another_managers_shared_view(manager_client, admin_user):
    view = saved(admin_user, "Team replies", shared=True)

    for name, data in [
        ("saved_views:rename", {"name": "Mine now"}),
        ("saved_views:delete", {"confirmed": "yes"}),
        ("saved_views:share", {"visibility": "personal"}),
    ]:
        assert manager_client.post(reverse(name, args=[view.pk]), data).status_code == 403
    view.refresh_from_db()
    assert (view.name, view.visibility) == ("Team replies", Visibility.SHARED)


def test_a_rep_cannot_share_even_their_own_view(rep_client, rep_user):
    view = saved(rep_user, "Mine")

    response = rep_client.post(
        reverse("saved_views:share", args=[view.pk]), {"visibility": "shared"}
    )

    assert response.status_code == 403
    view.refresh_from_db()
    assert view.visibility == Visibility.PERSONAL


def test_the_list_shows_your_views_and_the_teams_shared_ones_only(
    rep_client, rep_user, manager_user, other_rep_user
):
    saved(rep_user, "Mine")
    saved(manager_user, "Team replies", shared=True)
    saved(manager_user, "Morgan's secret")
    saved(other_rep_user, "Diego's secret")

    html = rep_client.get(reverse("saved_views:list")).content.decode()

    assert "Mine" in html and "Team replies" in html
    assert "secret" not in html
    assert "Share with the team</button>" not in html  # a Rep is not offered sharing


# -- share, rename, delete ------------------------------------------------------------


def test_a_manager_shares_and_unshares_their_view(
    manager_client, manager_user, rep_user, rep_client
):
    view = saved(manager_user, "Team replies")
    share = reverse("saved_views:share", args=[view.pk])

    manager_client.post(share, {"visibility": "shared"})
    assert rep_client.get(open_url(view)).status_code == 200
    rep_client.post(reverse("saved_views:pin", args=[view.pk]), {"pinned": "yes"})
    RoleDefaultView.objects.create(role="rep", view=view)

    manager_client.post(share, {"visibility": "personal"})

    view.refresh_from_db()
    assert view.visibility == Visibility.PERSONAL
    assert rep_client.get(open_url(view)).status_code == 404
    assert not PinnedView.objects.filter(user=rep_user).exists()
    assert not RoleDefaultView.objects.exists()


def test_the_owner_renames_a_view_and_a_taken_name_is_a_field_error(manager_client, manager_user):
    view = saved(manager_user, "Replied")
    saved(manager_user, "Bounced", query="status=Bounced")
    rename = reverse("saved_views:rename", args=[view.pk])

    taken = manager_client.post(rename, {"name": "bounced"})
    assert taken.status_code == 200
    assert "already have a view" in taken.content.decode()

    renamed = manager_client.post(rename, {"name": "Replied this month"})
    assert renamed.status_code == 302
    view.refresh_from_db()
    assert view.name == "Replied this month"


def test_renaming_to_the_same_name_in_another_case_is_allowed(manager_client, manager_user):
    view = saved(manager_user, "replied")

    manager_client.post(reverse("saved_views:rename", args=[view.pk]), {"name": "Replied"})

    view.refresh_from_db()
    assert view.name == "Replied"


def test_delete_asks_first(manager_client, manager_user):
    view = saved(manager_user, "Replied")
    delete = reverse("saved_views:delete", args=[view.pk])

    asked = manager_client.post(delete, **HTMX)
    assert 'data-testid="confirm"' in asked.content.decode()
    assert "Delete the view “Replied”?" in asked.content.decode()
    assert SavedView.objects.filter(pk=view.pk).exists()

    manager_client.post(delete, {"confirmed": "yes"})
    assert not SavedView.objects.filter(pk=view.pk).exists()


# -- defaults per role -----------------------------------------------------------------


def test_an_admin_sets_the_reps_default_and_the_prospects_page_opens_with_it(
    admin_client, manager_user, rep_client, manager_client, team_prospects
):
    view = saved(manager_user, "Team replies", shared=True)

    admin_client.post(reverse("saved_views:defaults"), {"rep": view.pk})

    response = rep_client.get(PROSPECTS)
    html = response.content.decode()
    assert emails(response) == {
        team_prospects["priya_replied"].email,
        team_prospects["priya_replied_2"].email,
    }
    assert "The default view for Reps" in html
    assert 'data-testid="view-visibility">Shared with the team<' in html
    # The way to see all: a query string, even an empty search, is not the default.
    see_all = rep_client.get(PROSPECTS, {"q": ""})
    assert len(emails(see_all)) == 3
    assert 'data-testid="default-note"' not in see_all.content.decode()
    # Managers have no default set.
    assert len(emails(manager_client.get(PROSPECTS))) == 5


def test_only_a_shared_view_can_be_a_default(admin_client, manager_user):
    private = saved(manager_user, "Morgan's own")

    admin_client.post(reverse("saved_views:defaults"), {"rep": private.pk})

    assert not RoleDefaultView.objects.exists()


def test_only_admins_set_defaults(manager_client, manager_user):
    view = saved(manager_user, "Team replies", shared=True)

    response = manager_client.post(reverse("saved_views:defaults"), {"rep": view.pk})

    assert response.status_code == 403
    assert not RoleDefaultView.objects.exists()


def test_a_default_with_filters_that_no_longer_parse_opens_with_the_error(
    rep_client, manager_user, team_prospects
):
    view = saved(manager_user, "Broken", query="updated_to=soon", shared=True)
    RoleDefaultView.objects.create(role="rep", view=view)

    response = rep_client.get(PROSPECTS)

    assert 'data-testid="view-error"' in response.content.decode()
    assert "results" not in response.context


# -- the owner keeps a changed search -------------------------------------------------


def test_the_owner_saves_a_changed_search_into_the_view(manager_client, manager_user):
    view = saved(manager_user)

    page = manager_client.get(open_url(view), {"sort": "-name"}).content.decode()
    assert "Save the changes to this view" in page
    manager_client.post(
        reverse("saved_views:update_search", args=[view.pk]),
        {"query": "status=Replied&sort=-name&page=4"},
    )

    view.refresh_from_db()
    assert view.query == "status=Replied&sort=-name"


def test_a_changed_search_that_does_not_parse_leaves_the_view_as_it_was(
    manager_client, manager_user
):
    view = saved(manager_user)

    response = manager_client.post(
        reverse("saved_views:update_search", args=[view.pk]),
        {"query": "status=Bounced&created_to=later"},
        follow=True,
    )

    view.refresh_from_db()
    assert view.query == "status=Replied"
    assert "The view was not changed" in response.content.decode()


def test_only_the_owner_is_offered_or_allowed_to_change_a_shared_views_search(
    rep_client, manager_user
):
    view = saved(manager_user, shared=True)

    page = rep_client.get(open_url(view), {"sort": "-name"}).content.decode()
    response = rep_client.post(
        reverse("saved_views:update_search", args=[view.pk]), {"query": "status=Bounced"}
    )

    assert 'data-testid="changed-note"' in page
    assert "Save the changes to this view" not in page
    assert response.status_code == 403
    view.refresh_from_db()
    assert view.query == "status=Replied"


def test_a_broken_views_results_fragment_is_the_error_alone(manager_client, manager_user):
    view = saved(manager_user, "Broken", query="created_from=never")

    response = manager_client.get(open_url(view), {"page": "2"}, **HTMX)

    html = response.content.decode()
    assert 'data-testid="view-error"' in html
    assert "<html" not in html


def test_the_default_views_choices_name_whose_view_each_is(admin_client, manager_user):
    saved(manager_user, "Team replies", shared=True)

    html = admin_client.get(reverse("saved_views:list")).content.decode()

    assert "Team replies (by " in html


@pytest.mark.parametrize("size", [10, 200])
def test_opening_a_view_costs_the_prospects_page_plus_one_query(
    manager_client, manager_user, django_assert_max_num_queries, size
):
    from tests.prospects.test_search import _seed

    _seed(size)
    view = saved(manager_user, query="tag=seeded&sort=company")

    # The prospects page with a filter (see tests/prospects/test_search.py: at most
    # 11 for a Manager's full page) and the view itself.
    with django_assert_max_num_queries(12):
        response = manager_client.get(open_url(view))
    assert response.context["results"].count == size
