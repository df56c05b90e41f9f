"""What the enrichment pages keep: pushes to Klenty (so a cadence can follow the
import), and Snov.io webhook subscriptions with the events they delivered."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from klentyadmin.core.background.models import BackgroundItem, BackgroundRun
from klentyadmin.lib.event_labels import event_label


class EnrichmentPush(models.Model):
    """One "Send to Klenty": a Bulk Add job, then optionally a Start cadence job."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    import_job = models.ForeignKey("prospects.BulkJob", on_delete=models.CASCADE, related_name="+")
    cadence_name = models.CharField(max_length=255, blank=True)
    cadence_job = models.ForeignKey(
        "prospects.BulkJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    skipped = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Snov.io push {self.pk}"


def new_token() -> str:
    return secrets.token_urlsafe(24)


class SnovWebhook(models.Model):
    """A subscription we made at Snov.io; its URL carries our unguessable token."""

    snov_id = models.PositiveIntegerField(null=True, blank=True)
    token = models.CharField(max_length=64, unique=True, default=new_token)
    event_object = models.CharField(max_length=32)
    event_action = models.CharField(max_length=32)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.event_object}.{self.event_action}"

    @property
    def label(self) -> str:
        return event_label(str(self))


class SnovEvent(models.Model):
    webhook = models.ForeignKey(SnovWebhook, on_delete=models.CASCADE, related_name="events")
    event = models.CharField(max_length=64)
    email = models.CharField(max_length=254, blank=True)
    payload = models.JSONField()
    # What makes it the same event however it is spelled (enrichment/hooks.py:
    # delivery_identity): Snov.io resends a delivery up to seven times. Empty only for
    # a replay stored before identities were kept.
    identity = models.CharField(max_length=64, unique=True, null=True, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-received_at"]

    def __str__(self) -> str:
        return self.event


class VerificationRun(BackgroundRun):
    """ "Verify the emails of these prospects" on a Klenty search selection, or emails
    pasted on the verifier page: one item per email, run by the background framework
    (kind "snov_verification", enrichment/verification.py)."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    prospect_ids = models.JSONField(default=list)
    emails = models.JSONField(default=list)  # pasted on the verifier page (no prospects)
    tag = models.CharField(max_length=100, blank=True)
    mark_dnc = models.BooleanField(default=False)
    total = models.PositiveIntegerField(default=0)
    # The outcome, counted once every item is finished.
    valid = models.PositiveIntegerField(default=0)
    invalid = models.PositiveIntegerField(default=0)
    unknown = models.PositiveIntegerField(default=0)
    tag_job = models.ForeignKey(
        "prospects.BulkJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    dnc_job = models.ForeignKey(
        "prospects.BulkJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"Verification of {self.total} prospects"

    def get_absolute_url(self) -> str:
        return reverse("enrichment:verification_run", args=[self.pk])


class VerificationItem(BackgroundItem):
    """One email of a run: pending → sending → pushed (credits spent, waiting for
    Snov.io) → verified | unverified (not done within the wait). A Snov.io error ends
    the whole run "failed", with the reason."""

    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Asking Snov.io"
        PUSHED = "pushed", "Pushed for verification"
        VERIFIED = "verified", "Verified"
        UNVERIFIED = "unverified", "Not verified yet"

    run = models.ForeignKey(VerificationRun, on_delete=models.CASCADE, related_name="items")
    prospect = models.ForeignKey(
        "prospects.Prospect", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    email = models.CharField(max_length=254)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    # Snov.io's verdict: valid, not_valid, unknown, greylisted; and why (catchall...).
    status = models.CharField(max_length=32, blank=True)
    reason = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["run", "state"])]

    def __str__(self) -> str:
        return f"{self.email}: {self.state}"


class DomainSearchProgress(models.Model):
    """How far one domain search has got, written by the request that runs it and read
    by the page's progress poll (another request, maybe another process). `key` is
    made when the search form is rendered; a search from the same page reuses it."""

    key = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    domain = models.CharField(max_length=253)
    step = models.CharField(max_length=64, blank=True)
    steps_done = models.PositiveSmallIntegerField(default=0)
    requests_made = models.PositiveIntegerField(default=0)
    credits_spent = models.PositiveIntegerField(default=0)
    finished = models.BooleanField(default=False)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.domain}: {self.step}"
