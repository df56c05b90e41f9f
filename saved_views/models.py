"""Saved views: a prospects search with a name, an owner and a visibility.

Who may do what lives here, in one place: `SavedView.objects.visible_to(user)`
(yours, and the team's shared ones), `can_edit` (the owner only) and
`can_share` (an owner who is a Manager or an Admin).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.http import QueryDict

from klentyadmin.accounts.models import Role

NAME_MAX = 100
QUERY_MAX = 2000
# The navigation counts each pinned view on every page: this bounds those counts.
MAX_PINNED = 6


class Visibility(models.TextChoices):
    PERSONAL = "personal", "Private view"
    SHARED = "shared", "Shared with the team"


class SavedViewQuerySet(models.QuerySet):
    def visible_to(self, user) -> SavedViewQuerySet:
        """Your own views and the team's shared ones; another person's private view never."""
        return self.filter(Q(owner=user) | Q(visibility=Visibility.SHARED))


class SavedView(models.Model):
    name = models.CharField(max_length=NAME_MAX)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    visibility = models.CharField(
        max_length=16, choices=Visibility.choices, default=Visibility.PERSONAL
    )
    # The prospects page's query string, normalised (see saved_views.searches).
    query = models.CharField(max_length=QUERY_MAX, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SavedViewQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("name"), "owner", name="saved_view_name_unique_per_owner"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_shared(self) -> bool:
        return self.visibility == Visibility.SHARED

    @property
    def owner_name(self) -> str:
        return self.owner.get_full_name() or self.owner.username

    def whose(self, user) -> str:
        """The header's second half: whose view this is, as `user` reads it."""
        if self.owner_id == user.pk:
            return "yours, only you see it" if not self.is_shared else "by you"
        return f"by {self.owner_name}"

    def params(self) -> QueryDict:
        return QueryDict(self.query, mutable=True)

    def can_edit(self, user) -> bool:
        return self.owner_id == user.pk

    def can_share(self, user) -> bool:
        return self.owner_id == user.pk and user.is_manager_or_admin


class PinnedView(models.Model):
    """A view someone pinned to their navigation (their own or a shared one)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pinned_views"
    )
    view = models.ForeignKey(SavedView, on_delete=models.CASCADE, related_name="pins")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.UniqueConstraint("user", "view", name="saved_view_pinned_once_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.view} pinned by {self.user}"


class RoleDefaultView(models.Model):
    """The view the prospects page opens with, for everyone of a role. Always a shared one."""

    role = models.CharField(max_length=16, choices=Role.choices, unique=True)
    view = models.ForeignKey(SavedView, on_delete=models.CASCADE, related_name="defaults")
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["role"]

    def __str__(self) -> str:
        return f"{self.get_role_display()}: {self.view}"
