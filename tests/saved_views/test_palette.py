"""Saved views in the command palette: your own and the team's, never another person's
private one."""

from __future__ import annotations

import pytest
from django.urls import reverse

from saved_views.models import SavedView, Visibility

pytestmark = pytest.mark.django_db


def views_found(client, typed: str) -> list[dict]:
    results = client.get(reverse("palette"), {"q": typed}).json()["results"]
    return [r for r in results if r["kind"] == "View"]


def test_the_palette_finds_own_and_shared_views_but_not_anothers_private_one(
    rep_client, rep_user, manager_user
):
    mine = SavedView.objects.create(name="My hot leads", owner=rep_user, query="q=hot")
    shared = SavedView.objects.create(
        name="Team hot accounts", owner=manager_user, visibility=Visibility.SHARED
    )
    SavedView.objects.create(name="Manager's hot secret", owner=manager_user)

    found = views_found(rep_client, "hot")

    assert {r["url"] for r in found} == {
        reverse("saved_views:open", args=[mine.pk]),
        reverse("saved_views:open", args=[shared.pk]),
    }
    assert {r["hint"] for r in found} == {"Private view", "Shared with the team"}
    assert views_found(rep_client, "secret") == []
    assert [r["label"] for r in views_found(rep_client, "team acc")] == ["Team hot accounts"]
