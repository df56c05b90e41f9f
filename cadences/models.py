"""Cadences as cached from Klenty, the webhooks we registered, and the events they deliver."""

from __future__ import annotations

import secrets

from django.db import models
from django.db.models import Q
from django.utils import timezone

from klentyadmin.core.background.models import BackgroundItem, BackgroundRun, ItemState


class Cadence(models.Model):
    """A company cadence, refreshed on the sync's schedule.

    Klenty's cadence answers carry only an id and a name; the owners come from
    asking "Get User cadences" for each team member. A cadence shared with more
    than one member keeps all of them.
    """

    klenty_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255, db_index=True)
    owners = models.JSONField(default=list, blank=True)
    # "|a@x|b@y|": lets every database filter by one owner with a plain LIKE.
    owners_text = models.CharField(max_length=2000, blank=True, db_index=True)
    first_seen_at = models.DateTimeField(default=timezone.now)
    refreshed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.owners_text = "".join(f"|{o}" for o in self.owners) + "|" if self.owners else ""
        super().save(*args, **kwargs)

    @staticmethod
    def owner_filter(email: str) -> Q:
        return Q(owners_text__contains=f"|{email.lower()}|")


class CadenceRefresh(BackgroundRun):
    """One refresh of the cadence cache, a run of the background framework
    (cadences/sync.py): the company's cadences, then one item per team member."""

    # When it was asked for: the page's "Cached from Klenty ... ago", and the order.
    started_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL
    )
    # Klenty's company cadences as [id, name] pairs, once read (None until then).
    company = models.JSONField(null=True, blank=True)
    total = models.PositiveIntegerField(default=0)
    cadences = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"cadence refresh {self.started_at:%Y-%m-%d %H:%M}"


class CadenceRefreshMember(BackgroundItem):
    """One team member's own cadences, as one refresh read them."""

    class State(models.TextChoices):
        PENDING = ItemState.PENDING, "Pending"
        SENDING = ItemState.SENDING, "Reading"
        READ = "read", "Read"
        FAILED = "failed", "Could not be read"

    refresh = models.ForeignKey(CadenceRefresh, on_delete=models.CASCADE, related_name="members")
    email = models.EmailField()
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    cadence_ids = models.JSONField(default=list)

    class Meta:
        ordering = ["refresh_id", "id"]

    def __str__(self) -> str:
        return f"{self.email} in {self.refresh}"


def new_token() -> str:
    # 32 random bytes: the only thing that stands between the internet and the receiver.
    return secrets.token_urlsafe(32)


class WebhookSubscription(models.Model):
    """Our copy of one Klenty webhook. `token` is set when it points at our receiver."""

    klenty_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    event = models.CharField(max_length=32)
    url = models.URLField(max_length=1000)
    token = models.CharField(max_length=64, unique=True, null=True, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["event", "id"]

    def __str__(self) -> str:
        return f"{self.event} → {self.url}"


class EventQuerySet(models.QuerySet):
    def visible_to(self, user) -> EventQuerySet:
        """Managers and Admins see every event; a Rep those about prospects they own."""
        if user.is_manager_or_admin:
            return self
        if not user.klenty_email:
            return self.none()
        email = user.klenty_email
        return self.filter(Q(prospect_owner=email) | Q(prospect__owner_email=email))


class Event(models.Model):
    """One webhook delivery: the raw body as received, and what we read from it."""

    subscription = models.ForeignKey(
        WebhookSubscription, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    body_hash = models.CharField(max_length=64)
    raw_body = models.TextField()
    event_type = models.CharField(max_length=32, db_index=True)
    email = models.EmailField(max_length=254, db_index=True)
    full_name = models.CharField(max_length=300, blank=True)
    cadence_name = models.CharField(max_length=255, blank=True, db_index=True)
    cadence_owner = models.CharField(max_length=254, blank=True)
    prospect_owner = models.CharField(max_length=254, blank=True, db_index=True)
    list_name = models.CharField(max_length=255, blank=True)
    tags = models.JSONField(default=list, blank=True)
    occurred_at = models.DateTimeField(null=True, blank=True, help_text="Klenty's timestamp.")
    received_at = models.DateTimeField(default=timezone.now, db_index=True)
    prospect = models.ForeignKey(
        "prospects.Prospect",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_events",
    )
    applied = models.CharField(
        max_length=200, blank=True, help_text="What the event changed in the prospect cache."
    )

    objects = EventQuerySet.as_manager()

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            # Klenty's deliveries carry no id: the same body to the same URL is a resend.
            models.UniqueConstraint(
                fields=["subscription", "body_hash"], name="event_unique_body_per_subscription"
            )
        ]
        indexes = [models.Index(fields=["cadence_name", "received_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} {self.email}"
