"""Saved views in the command palette: the user's own and the team's shared ones whose
name has every typed word (one query, a fixed number of rows)."""

from __future__ import annotations

from django.db.models import Q
from django.urls import reverse

from klentyadmin.core.palette.entries import Entry, words
from saved_views.models import SavedView

VIEW_LIMIT = 6


def saved_views(user, typed: str) -> list[Entry]:
    typed_words = words(typed)
    if not typed_words:
        return []
    condition = Q()
    for word in typed_words:
        condition &= Q(name__icontains=word)
    found = SavedView.objects.visible_to(user).filter(condition).select_related("owner")
    return [
        Entry(
            "View",
            view.name,
            reverse("saved_views:open", args=[view.pk]),
            view.get_visibility_display(),
        )
        for view in found[:VIEW_LIMIT]
    ]
