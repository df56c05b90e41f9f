from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from klentyadmin.lib import crypto


class Service(models.TextChoices):
    KLENTY = "klenty", "Klenty"
    SNOV = "snov", "Snov.io"
    CRM = "crm", "Contacts CRM"


class Connection(models.Model):
    """The credentials for one external service, entered on the Connections page.

    The key is stored encrypted and never rendered back: pages show its last four
    characters only. Environment variables override what is stored here.
    """

    service = models.CharField(max_length=16, choices=Service.choices, unique=True)
    client_id = models.CharField(
        max_length=255, blank=True, help_text="Snov.io's client_id (its secret is the key)."
    )
    api_key_encrypted = models.TextField(blank=True)
    api_key_last4 = models.CharField(max_length=4, blank=True)
    team_emails = models.TextField(
        blank=True, help_text="Klenty team member emails, one per line; the first is the default."
    )
    last_success_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.get_service_display()

    def set_api_key(self, key: str) -> None:
        key = key.strip()
        self.api_key_encrypted = crypto.encrypt(key) if key else ""
        self.api_key_last4 = key[-4:] if key else ""

    def api_key(self) -> str:
        return crypto.decrypt(self.api_key_encrypted) if self.api_key_encrypted else ""

    @property
    def team_email_list(self) -> list[str]:
        return [e.strip().lower() for e in self.team_emails.splitlines() if e.strip()]

    def record_success(self) -> None:
        self.last_success_at = timezone.now()
        self.save(update_fields=["last_success_at", "updated_at"])

    def record_error(self, message: str) -> None:
        self.last_error = message
        self.last_error_at = timezone.now()
        self.save(update_fields=["last_error", "last_error_at", "updated_at"])


class ApiCall(models.Model):
    """One HTTP request to an external API: what an Admin reads to judge API health.

    Never holds the key, the full URL with query string, or the body.
    """

    service = models.CharField(max_length=16, choices=Service.choices)
    method = models.CharField(max_length=8)
    endpoint = models.CharField(max_length=200, help_text="The client method's name.")
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField()
    attempts = models.PositiveSmallIntegerField(default=1)
    error = models.TextField(blank=True)
    sandbox = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["service", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.method} {self.service}.{self.endpoint} → {self.status_code}"

    @property
    def ok(self) -> bool:
        return not self.error


class AuditEntry(models.Model):
    """Who wrote what to an external API, when, and what came back."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    actor_name = models.CharField(max_length=150, blank=True, help_text="Kept if the user goes.")
    service = models.CharField(max_length=16, choices=Service.choices)
    action = models.CharField(max_length=100)
    target = models.CharField(max_length=255, blank=True)
    details = models.JSONField(default=dict, blank=True)
    ok = models.BooleanField()
    result = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        verbose_name_plural = "audit entries"
        ordering = ["-created_at"]
        # A prospect's timeline reads its edits by target (the email), newest first.
        indexes = [models.Index(fields=["target", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.actor_name or 'system'} {self.action} {self.target}"


class OneTimeKey(models.Model):
    """The one-time key of a form that starts background work, once it has been sent.

    The first POST carrying a key records it with what it created; a second POST of
    the same key (a double click, Back and resubmit, a second tab) finds the row and
    lands there instead of creating the work again. See `klentyadmin.core.once`.
    """

    key = models.CharField(max_length=64)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="one_time_keys"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Where the first POST sent the user: the job, transfer or run it started.
    result_url = models.CharField(max_length=500)

    class Meta:
        # Per user: a key another user sent can never point someone at that user's work.
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="one_time_key_once_per_user")
        ]

    def __str__(self) -> str:
        return f"{self.key} → {self.result_url}"
