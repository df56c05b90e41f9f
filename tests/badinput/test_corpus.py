"""The corpus cannot shrink silently, and every case names what it tests."""

from __future__ import annotations

from django.urls import resolve, reverse

from tests.badinput.corpus import ALL, CATEGORIES
from tests.badinput.harness import REJECTED, TOLERATED
from tests.core.test_route_access import ROUTES

# The roles, and a Rep whose account is not linked to a Klenty team member.
ROLES = {"admin", "manager", "rep", "anon", "unlinked_rep"}
# Routes with no input to get wrong: a button that posts nothing, or a switch.
NO_INPUT = {
    "logout": "posts nothing",
    "test_connection": "posts nothing; tries the stored Klenty key",
    "contacts:test_connection": "posts nothing; tries the stored CRM key",
    "enrichment:test_connection": "posts nothing; tries the stored Snov.io credentials",
    "cadences:refresh": "posts nothing; refreshes the cadences",
    "cadences:webhook_subscribe": "posts nothing; subscribes the dashboard",
    "prospects:sync_start": "posts nothing; starts a sync",
    "dedupe:look_again": "posts nothing; looks for duplicates again",
    "cadences:simulate": "a switch: on=1 starts the sandbox's activity, anything else stops it",
    "account_login": "the login view under allauth's name; its inputs are the login cases",
    "account_logout": "posts nothing",
    "socialaccount_login_cancelled": "a page that says so",
    "socialaccount_login_error": "a page that says so",
    "mfa_index": "a page of links",
    "mfa_view_recovery_codes": "shows the codes",
    "mfa_download_recovery_codes": "downloads the codes",
    "mfa_generate_recovery_codes": "posts nothing; replaces the codes, after re-authentication",
    "mfa_deactivate_totp": "posts nothing; turns two-factor off, after re-authentication",
    "usersessions_list": "posts nothing; signs out the other sessions",
    "sign_out_everywhere": "posts nothing; signs out every session",
    "alerts:rules": "a page without parameters",
    "alerts:history": "a page without parameters",
    "alerts:evaluate": "posts nothing; evaluates the alert rules",
}


def test_the_corpus_holds_at_least_200_bad_inputs():
    assert len(ALL) >= 200


def test_every_category_keeps_its_share():
    sizes = {name: len(cases) for name, cases in CATEGORIES.items()}

    assert sizes["forms"] >= 150
    assert sizes["csv import"] >= 45
    assert sizes["query strings"] >= 90
    assert sizes["webhook bodies"] >= 120


def test_case_ids_are_unique():
    ids = [case.id for case in ALL]

    assert len(set(ids)) == len(ids), sorted({i for i in ids if ids.count(i) > 1})


def test_every_case_is_well_formed():
    for case in ALL:
        assert case.who in ROLES, case.id
        assert case.method in {"get", "post"}, case.id
        assert case.expect in {REJECTED, TOLERATED}, case.id
        if not case.url.startswith("/"):
            kwargs = {k: 1 if str(v).startswith("@") else v for k, v in case.kwargs.items()}
            assert reverse(case.url, kwargs=kwargs), case.id


def route_name(url: str) -> str:
    return resolve(url).view_name if url.startswith("/") else url


def test_every_route_has_bad_inputs_or_a_reason_to_have_none():
    covered = {route_name(case.url) for case in ALL if not case.url.startswith("/prospects/abc")}
    missing = {route.name for route in ROUTES} - covered - set(NO_INPUT)

    assert not missing, f"add bad inputs for {sorted(missing)} to tests/badinput"
    assert not covered & set(NO_INPUT)
