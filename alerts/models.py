"""Alert rules, their firings, and the notifications each firing sent.

A rule reads the reporting tables (a metric over a window, for a scope) and fires
when its condition holds. A firing is one stretch of time during which it held,
for one subject (the team, a rep or a cadence): it opens, may be reminded about
or snoozed, and resolves. Each message sent about it, per channel, is a
notification with its delivery status, which the history page shows.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone

from klentyadmin.lib import crypto


class Metric(models.TextChoices):
    REPLY_RATE = "reply_rate", "Reply rate"
    BOUNCE_RATE = "bounce_rate", "Bounce rate"
    UNSUBSCRIBE_RATE = "unsubscribe_rate", "Unsubscribe rate"
    POSITIVE_REPLIES = "positive_replies", "Positive replies"
    CALLS = "calls", "Calls"
    WEBHOOK_SILENCE = "webhook_silence", "No webhook event while cadences run"
    SYNC_HEALTH = "sync_health", "A sync or pull failing or stale"


RATE_METRICS = {Metric.REPLY_RATE, Metric.BOUNCE_RATE, Metric.UNSUBSCRIBE_RATE}
# Metrics whose threshold is a number of hours, for the whole team.
HOURS_METRICS = {Metric.WEBHOOK_SILENCE, Metric.SYNC_HEALTH}


class Scope(models.TextChoices):
    TEAM = "team", "The whole team"
    REP = "rep", "One rep"
    CADENCE = "cadence", "One cadence"
    EACH_REP = "each_rep", "Each rep"
    EACH_CADENCE = "each_cadence", "Each cadence"


CADENCE_SCOPES = {Scope.CADENCE, Scope.EACH_CADENCE}
REP_SCOPES = {Scope.REP, Scope.EACH_REP}


class Condition(models.TextChoices):
    ABOVE = "above", "Above the threshold"
    BELOW = "below", "Below the threshold"
    DROP_PREVIOUS = "drop_previous", "Down by more than the threshold against the previous period"
    DROP_BASELINE = "drop_baseline", "Down by more than the threshold against the baseline"


class Action(models.TextChoices):
    NONE = "", "None"
    STOP_CADENCE = "stop_cadence", "Stop this cadence for its active prospects"
    STOP_MAILS = "stop_mails", "Stop mails to this cadence's active prospects"


class AlertRule(models.Model):
    name = models.CharField(max_length=120)
    # Set for the rules a data migration created ("bounce_2"...), so they can be told apart.
    builtin = models.CharField(max_length=32, unique=True, null=True, blank=True)
    metric = models.CharField(max_length=20, choices=Metric.choices)
    scope = models.CharField(max_length=16, choices=Scope.choices, default=Scope.TEAM)
    # The rep's Klenty email or the cadence's name, for the one-rep and one-cadence scopes.
    scope_value = models.CharField(max_length=255, blank=True)
    condition = models.CharField(max_length=16, choices=Condition.choices, default=Condition.ABOVE)
    threshold = models.FloatField(validators=[MinValueValidator(0)])
    window_days = models.PositiveSmallIntegerField(default=7, validators=[MinValueValidator(1)])
    baseline_days = models.PositiveSmallIntegerField(default=28, validators=[MinValueValidator(1)])
    # A rate over fewer prospects added than this says nothing yet: no firing.
    min_volume = models.PositiveIntegerField(default=20)
    email_to = models.TextField(blank=True, help_text="Emails, one a line.")
    slack_url_encrypted = models.TextField(blank=True)
    slack_url_hint = models.CharField(max_length=120, blank=True)
    action = models.CharField(max_length=16, choices=Action.choices, blank=True, default="")
    act_automatically = models.BooleanField(default=False)
    remind_after_hours = models.PositiveSmallIntegerField(default=24)
    enabled = models.BooleanField(default=True)
    # Who saved it last: an automatic action runs as this Manager.
    saved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name

    # -- the webhook URL, a secret ------------------------------------------------

    def set_slack_url(self, url: str) -> None:
        url = url.strip()
        self.slack_url_encrypted = crypto.encrypt(url) if url else ""
        self.slack_url_hint = hint_for(url) if url else ""

    def slack_url(self) -> str:
        return crypto.decrypt(self.slack_url_encrypted) if self.slack_url_encrypted else ""

    @property
    def recipients(self) -> list[str]:
        return list(dict.fromkeys(e.strip().lower() for e in self.email_to.split() if e.strip()))

    @property
    def is_rate(self) -> bool:
        return self.metric in RATE_METRICS

    @property
    def unit(self) -> str:
        """What the threshold counts: hours, points (a drop in a rate), % or nothing."""
        if self.metric in HOURS_METRICS:
            return " hours"
        if not self.is_rate:
            return ""
        return " points" if self.condition.startswith("drop") else "%"

    @property
    def summary(self) -> str:
        """The rule in one line: "Bounce rate above 5% over 7 days, each cadence"."""
        if self.metric == Metric.WEBHOOK_SILENCE:
            return f"No webhook event for {fmt(self.threshold)} hours while cadences run"
        if self.metric == Metric.SYNC_HEALTH:
            return f"A sync or pull failed, or none succeeded for {fmt(self.threshold)} hours"
        metric = self.get_metric_display()
        value = f"{fmt(self.threshold)}{self.unit}"
        days = f"{self.window_days} day{'s' if self.window_days != 1 else ''}"
        condition = {
            Condition.ABOVE: f"above {value}",
            Condition.BELOW: f"below {value}",
            Condition.DROP_PREVIOUS: f"down more than {value} against the previous {days}",
            Condition.DROP_BASELINE: (
                f"down more than {value} against the {self.baseline_days}-day baseline"
            ),
        }[self.condition]
        return f"{metric} {condition} over {days}, {self.scope_label}"

    @property
    def scope_label(self) -> str:
        """The scope in words: "the whole team", "one cadence: New Leads"."""
        label = self.get_scope_display().lower()
        if self.scope in (Scope.REP, Scope.CADENCE) and self.scope_value:
            return f"{label}: {self.scope_value}"
        return label


def fmt(number: float) -> str:
    return f"{number:g}"


def hint_for(url: str) -> str:
    """What a page shows of a webhook URL: its host and the last four characters."""
    from urllib.parse import urlsplit

    host = urlsplit(url).hostname or "?"
    return f"{host}/…{url[-4:]}"


class FiringQuerySet(models.QuerySet):
    def open(self) -> FiringQuerySet:
        return self.filter(resolved_at__isnull=True)


class AlertFiring(models.Model):
    """One stretch of time a rule's condition held for one subject."""

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="firings")
    # "" for the team; a rep's email, a cadence's name, or a sync's name otherwise.
    subject = models.CharField(max_length=255, blank=True)
    subject_kind = models.CharField(max_length=16, blank=True)
    started_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    value = models.FloatField(null=True, blank=True)
    message = models.CharField(max_length=500)
    last_notified_at = models.DateTimeField(null=True, blank=True)
    snoozed_until = models.DateTimeField(null=True, blank=True)
    # The bulk job its action started (confirmed by a Manager, or automatically).
    action_job = models.ForeignKey(
        "prospects.BulkJob", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = FiringQuerySet.as_manager()

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # Two evaluations at once cannot both open the same firing.
            models.UniqueConstraint(
                fields=["rule", "subject"],
                condition=Q(resolved_at__isnull=True),
                name="alert_one_open_firing",
            )
        ]

    def __str__(self) -> str:
        return self.message

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None

    def snoozed(self, now=None) -> bool:
        return self.snoozed_until is not None and self.snoozed_until > (now or timezone.now())

    @property
    def can_act(self) -> bool:
        return bool(self.rule.action) and self.subject_kind == "cadence" and self.is_open


class AlertNotification(models.Model):
    class Kind(models.TextChoices):
        FIRED = "fired", "Fired"
        REMINDER = "reminder", "Reminder"
        RESOLVED = "resolved", "Resolved"
        ACTED = "acted", "Action taken"

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SLACK = "slack", "Slack webhook"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"

    firing = models.ForeignKey(AlertFiring, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    channel = models.CharField(max_length=8, choices=Channel.choices)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.PENDING)
    text = models.TextField()
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.get_channel_display()}: {self.status}"
