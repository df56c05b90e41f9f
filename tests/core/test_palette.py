"""The command palette's endpoint: what it finds, for whom."""

from __future__ import annotations

import pytest
from django.urls import reverse

from klentyadmin.accounts.models import Role
from klentyadmin.core.navigation import NAV
from klentyadmin.core.palette import providers
from tests.core.test_route_access import PUBLIC, ROUTES
from tests.prospects.test_search import DIEGO, PRIYA, make_prospect

pytestmark = pytest.mark.django_db
URL = reverse("palette")
ROLE_OF = {"rep_client": Role.REP, "manager_client": Role.MANAGER, "admin_client": Role.ADMIN}


def found(client, typed: str, kind: str | None = None) -> list[dict]:
    response = client.get(URL, {"q": typed})
    assert response.status_code == 200
    results = response.json()["results"]
    return [r for r in results if kind is None or r["kind"] == kind]


def every_offerable_url_name() -> set[str]:
    listed = [i.url_name for i in NAV] + [name for _, name, _ in providers.MORE_PAGES]
    return set(listed + [name for _, name, _ in providers.ACTIONS])


def roles_allowed(url_name: str) -> frozenset:
    # Django's own account views (password change) are for any signed-in user.
    return next(r for r in ROUTES if r.name == url_name).allowed_roles or frozenset(Role)


def test_a_rep_finds_their_own_prospect_by_name_and_by_email(rep_client):
    own = make_prospect(first_name="Zorana", last_name="Quill", email="zq@quill.example")

    by_name = found(rep_client, "zorana qu", "Prospect")
    by_email = found(rep_client, "zq@quill", "Prospect")

    assert [r["url"] for r in by_name] == [reverse("prospects:detail", args=[own.pk])]
    assert by_name[0]["label"] == "Zorana Quill"
    assert "zq@quill.example" in by_name[0]["hint"]
    assert [r["url"] for r in by_email] == [reverse("prospects:detail", args=[own.pk])]


def test_a_rep_never_gets_another_reps_prospect(rep_client, manager_client):
    make_prospect(first_name="Zorana", last_name="Mine", owner_email=PRIYA)
    theirs = make_prospect(
        first_name="Zorana", last_name="Theirs", email="zorana@theirs.example", owner_email=DIEGO
    )

    for typed in ["zorana", "zorana theirs", "zorana@theirs.example", "theirs"]:
        labels = [r["label"] for r in found(rep_client, typed, "Prospect")]
        assert "Zorana Theirs" not in labels, typed
    # A Manager sees the whole team, so the prospect is there to be found.
    assert reverse("prospects:detail", args=[theirs.pk]) in [
        r["url"] for r in found(manager_client, "zorana theirs", "Prospect")
    ]


def test_a_rep_without_a_klenty_email_finds_no_prospect(rep_user, rep_client):
    rep_user.klenty_email = ""
    rep_user.save()
    make_prospect(first_name="Zorana", owner_email="")

    assert found(rep_client, "zorana", "Prospect") == []


@pytest.mark.parametrize("who", ["rep_client", "manager_client", "admin_client"])
def test_pages_a_role_may_not_open_are_not_offered(who, request):
    client = request.getfixturevalue(who)
    offered = {r["url"] for r in found(client, "")}

    for url_name in every_offerable_url_name():
        allowed = ROLE_OF[who] in roles_allowed(url_name)
        assert (reverse(url_name) in offered) == allowed, url_name


def test_a_rep_is_not_offered_the_admin_and_manager_pages(rep_client):
    labels = {r["label"] for r in found(rep_client, "")}

    assert {"Prospects", "Import CSV", "New prospect", "Sign out"} <= labels
    assert not labels & {"Settings", "API health", "Webhooks", "Audit log", "CRM settings"}


def test_every_page_offered_to_a_rep_opens_for_a_rep(rep_client, sandbox):
    for entry in found(rep_client, ""):
        if entry["method"] != "get":
            continue
        response = rep_client.get(entry["url"])
        assert response.status_code in (200, 302), (entry["label"], response.status_code)


def test_typed_words_narrow_the_pages_and_actions(manager_client):
    labels = [r["label"] for r in found(manager_client, "imp csv")]

    assert labels == ["Import CSV"]


def test_sign_out_is_a_post(manager_client):
    (sign_out,) = [r for r in found(manager_client, "sign out") if r["label"] == "Sign out"]

    assert sign_out == {
        "kind": "Action",
        "label": "Sign out",
        "url": reverse("logout"),
        "hint": "",
        "method": "post",
    }


def test_the_prospect_search_costs_the_same_queries_for_many_prospects(
    manager_client, django_assert_max_num_queries
):
    make_prospect(first_name="Zorana")
    with django_assert_max_num_queries(20) as few:
        found(manager_client, "zorana")
    for _ in range(30):
        make_prospect(first_name="Zorana")

    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(found(manager_client, "zorana", "Prospect")) == providers.PROSPECT_LIMIT


@pytest.mark.parametrize("typed", ["", "   ", "%", "'; drop table", "z" * 5000, "ä" * 3, "_"])
def test_odd_input_answers_without_an_error(manager_client, typed):
    response = manager_client.get(URL, {"q": typed})

    assert response.status_code == 200
    assert "results" in response.json()


def test_the_palette_is_in_every_signed_in_page_with_the_roles_go_to_keys(rep_client):
    html = rep_client.get(reverse("prospects:jobs")).content.decode()

    assert 'id="palette"' in html and 'role="dialog"' in html
    assert 'src="/static/js/palette.js"' in html
    assert f'data-go="p" data-url="{reverse("prospects:search")}"' in html


def test_anonymous_users_get_no_palette(client):
    html = client.get(reverse("login")).content.decode()

    assert 'id="palette"' not in html


def test_a_prospects_name_is_sent_as_plain_text(manager_client):
    make_prospect(first_name="Zorana", last_name="O'Brien & <Co>", company="Ruiz & Hijos")

    (entry,) = found(manager_client, "zorana", "Prospect")

    assert entry["label"] == "Zorana O'Brien & <Co>"
    assert entry["hint"].endswith("· Ruiz & Hijos")


# Pages without URL arguments that are steps of a flow, reached from a page the
# palette offers, rather than places to go.
NOT_IN_THE_PALETTE = {
    "mfa_reauthenticate": "asked for by allauth before a security change",
    "account_reauthenticate": "asked for by allauth before a security change",
    "mfa_generate_recovery_codes": "a step of Two-factor sign-in",
    "mfa_activate_totp": "a step of Two-factor sign-in",
    "mfa_deactivate_totp": "a step of Two-factor sign-in",
    "password_change_done": "what Change password answers",
    "saved_views:create": "a step of 'Save this view' on the prospects page",
    "saved_views:pinned": "the menu's pinned views, a fragment the menu loads",
}


def test_every_page_without_arguments_is_in_the_palette(admin_user, admin_client, sandbox):
    from tests.browser.test_page_widths import NOT_PAGES

    offered = {r["url"] for r in found(admin_client, "")}
    missing = []
    for route in ROUTES:
        if route.kwargs or route.name in NOT_PAGES | set(NOT_IN_THE_PALETTE) | set(PUBLIC):
            continue
        if route.allowed_roles is not None and Role.ADMIN not in route.allowed_roles:
            continue
        if getattr(route.callback, "serves_csv", False) or route.url in offered:
            continue
        response = admin_client.get(route.url)
        is_html = response.status_code == 200 and "text/html" in response["Content-Type"]
        # An HTMX fragment (the email count, the pinned views) is part of a page.
        if is_html and b"<html" in response.content[:500].lower():
            missing.append(route.name)

    assert missing == [], missing


def test_the_report_health_pages_and_the_time_zone_are_found(rep_client):
    assert [r["url"] for r in found(rep_client, "bounces", "Page")] == [
        reverse("reporting:deliverability")
    ]
    assert [r["url"] for r in found(rep_client, "heatmap", "Page")] == [
        reverse("reporting:answer_times")
    ]
    assert [r["url"] for r in found(rep_client, "time zone", "Page")] == [reverse("time_zone")]
