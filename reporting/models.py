"""What the reports are drawn from: copies of Klenty's report answers, kept locally.

Klenty answers its engagement reports for any range but keeps calls for only about
30 days, and every answer costs a rate-limited request; the charts therefore read
these tables, which the pulls (reporting/pulls.py) keep current. Rows are keyed by
what Klenty names them by (a cadence's name, a call's callSid), so a pull run twice
updates rows in place instead of adding new ones.
"""

from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.db import models
from django.utils import timezone

from klentyadmin.core.background.models import (
    FINISHED_STATUSES,
    BackgroundItem,
    BackgroundRun,
    ItemState,
    RunStatus,
)

CONNECTED_DISPOSITIONS = ("CONNECTED", "MEETING_BOOKED")


class EngagementDay(models.Model):
    """Email Engagements for one cadence and one day (one request per day)."""

    cadence_name = models.CharField(max_length=255)
    cadence_id = models.CharField(max_length=64, blank=True)
    day = models.DateField()
    prospects_added = models.PositiveIntegerField(default=0)
    in_cadence = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    opens = models.PositiveIntegerField(default=0)
    clicks = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)
    unsubscribes = models.PositiveIntegerField(default=0)
    bounces = models.PositiveIntegerField(default=0)
    positive = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)
    fetched_at = models.DateTimeField(default=timezone.now)

    METRICS = (
        "prospects_added",
        "in_cadence",
        "completed",
        "opens",
        "clicks",
        "replies",
        "unsubscribes",
        "bounces",
        "positive",
        "negative",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cadence_name", "day"], name="engagement_cadence_day")
        ]
        indexes = [models.Index(fields=["day", "cadence_name"])]

    def __str__(self) -> str:
        return f"{self.cadence_name} {self.day}"


class StepSnapshot(models.Model):
    """StepWise Metric Engagement for one cadence over [range_start, range_end], as
    answered on `taken_on`; one snapshot per cadence and day."""

    cadence_name = models.CharField(max_length=255)
    cadence_id = models.CharField(max_length=64, blank=True)
    taken_on = models.DateField()
    range_start = models.DateField()
    range_end = models.DateField()
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["cadence_name", "taken_on"], name="stepwise_cadence_day"
            )
        ]
        ordering = ["-taken_on"]

    def __str__(self) -> str:
        return f"{self.cadence_name} steps on {self.taken_on}"


class StepRow(models.Model):
    """One step of a snapshot (option 0), or one of its A/B options (1, 2, ...)."""

    snapshot = models.ForeignKey(StepSnapshot, on_delete=models.CASCADE, related_name="rows")
    step_number = models.PositiveIntegerField()
    option = models.PositiveIntegerField(default=0)
    step_type = models.CharField(max_length=16, blank=True)
    mails = models.PositiveIntegerField(default=0)
    opens = models.PositiveIntegerField(default=0)
    replies = models.PositiveIntegerField(default=0)
    links = models.PositiveIntegerField(default=0)
    positive = models.PositiveIntegerField(default=0)
    negative = models.PositiveIntegerField(default=0)
    completed = models.PositiveIntegerField(default=0)
    tasks = models.PositiveIntegerField(default=0)
    calls = models.PositiveIntegerField(default=0)
    completed_calls_percent = models.FloatField(default=0)
    template_name = models.CharField(max_length=255, blank=True)
    subject = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["snapshot", "step_number", "option"], name="steprow_step_option"
            )
        ]
        ordering = ["step_number", "option"]

    def __str__(self) -> str:
        return f"step {self.step_number} option {self.option}"


class CallQuerySet(models.QuerySet):
    def visible_to(self, user) -> CallQuerySet:
        """Managers and Admins see every call; a Rep only the calls they made."""
        if user.is_manager_or_admin:
            return self
        if not user.klenty_email:
            return self.none()
        return self.filter(username=user.klenty_email)


class Call(models.Model):
    """One completed call (Get Call completion details), stored once by its callSid,
    so history grows past the 30 days Klenty keeps."""

    call_sid = models.CharField(max_length=64, unique=True)
    username = models.EmailField(help_text="The team member who made the call.")
    called_on = models.DateField(help_text="The UTC day the call was created.")
    created_at = models.DateTimeField(null=True, blank=True)
    start_time = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=32, blank=True)
    disposition = models.CharField(max_length=64, blank=True)
    duration_seconds = models.PositiveIntegerField(default=0)
    prospect_email = models.EmailField(blank=True)
    prospect_name = models.CharField(max_length=300, blank=True)
    company = models.CharField(max_length=255, blank=True)
    prospect_owner = models.EmailField(blank=True)
    cadence_name = models.CharField(max_length=255, blank=True)
    outcome = models.CharField(max_length=64, blank=True)

    objects = CallQuerySet.as_manager()

    class Meta:
        indexes = [
            # The rollup reads calls by day; a calls pull finds a member's newest day.
            models.Index(fields=["called_on"]),
            models.Index(fields=["username", "called_on"]),
            # A prospect's timeline reads its calls (prospects/timeline.py).
            models.Index(fields=["prospect_email"], name="reporting_call_prospect"),
        ]

    def __str__(self) -> str:
        return self.call_sid


class CallDay(models.Model):
    """Calls per day, rep, disposition and duration bucket: what the call charts read.

    A million calls over two years is ~40,000 in a month; the charts group these
    rows instead (a few thousand a month), so the page stays fast as history grows.
    Rebuilt from Call with one GROUP BY for every day a pull touched
    (reporting/rollups.py)."""

    day = models.DateField()
    username = models.EmailField()
    disposition = models.CharField(max_length=64, blank=True)
    bucket = models.PositiveSmallIntegerField(help_text="Index into charts.DURATION_BUCKETS.")
    calls = models.PositiveIntegerField(default=0)
    seconds = models.PositiveBigIntegerField(default=0)

    objects = CallQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "username", "disposition", "bucket"], name="callday_unique"
            )
        ]
        indexes = [models.Index(fields=["username", "day"])]

    def __str__(self) -> str:
        return f"{self.username} {self.day} {self.disposition}"


class CallOutcomeDay(models.Model):
    """Calls per day, rep, disposition and prospect outcome: what Home and the
    scorecards count calls, their dispositions and meetings from (a meeting is a call
    whose outcome is COCKPIT_MEETING_OUTCOME). Without CallDay's duration buckets it has
    a few dozen rows a day for a team, so a quarter for everyone is one small GROUP BY.
    Rebuilt with CallDay (reporting/rollups.py)."""

    day = models.DateField()
    username = models.EmailField()
    disposition = models.CharField(max_length=64, blank=True)
    outcome = models.CharField(max_length=64, blank=True)
    calls = models.PositiveIntegerField(default=0)

    objects = CallQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "username", "disposition", "outcome"],
                name="calloutcomeday_unique",
            )
        ]
        indexes = [models.Index(fields=["username", "day"])]

    def __str__(self) -> str:
        return f"{self.username} {self.day} {self.disposition} {self.outcome}"


class Goal(models.Model):
    """What a Manager expects of one team member over one week, month or quarter.

    Keyed by the member's Klenty email (the attribution key of the scorecards), and
    by the first day of the period; an empty figure means no goal for it."""

    class Period(models.TextChoices):
        WEEK = "week", "Week"
        MONTH = "month", "Month"
        QUARTER = "quarter", "Quarter"

    member = models.EmailField(help_text="The team member's Klenty email.")
    period = models.CharField(max_length=8, choices=Period.choices)
    starts_on = models.DateField(help_text="The first day of the period.")
    meetings = models.PositiveIntegerField(null=True, blank=True)
    positive = models.PositiveIntegerField("positive replies", null=True, blank=True)
    calls = models.PositiveIntegerField(null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    updated_at = models.DateTimeField(default=timezone.now)

    FIGURES = ("meetings", "positive", "calls")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["member", "period", "starts_on"], name="goal_member_period"
            )
        ]
        ordering = ["member", "-starts_on"]

    def __str__(self) -> str:
        return f"{self.member}: {self.get_period_display().lower()} of {self.starts_on}"


class PullRun(BackgroundRun):
    """One run of a pull: when, how many rows it wrote, what went wrong.

    A run of the background framework (kind "report_pull", reporting/pulls.py): its
    first step plans the run's items (days, cadences or team members), and each
    later step fetches one of them, so a run a dead worker left goes on where it
    stopped."""

    class Kind(models.TextChoices):
        ENGAGEMENT = "engagement", "Email engagement"
        STEPWISE = "stepwise", "Step-wise engagement"
        CALLS = "calls", "Calls"

    class Status(models.TextChoices):
        QUEUED = RunStatus.QUEUED, "Queued"
        RUNNING = RunStatus.RUNNING, "Running"
        DONE = RunStatus.DONE, "Done"
        PARTIAL = "partial", "Done with errors"
        FAILED = RunStatus.FAILED, "Failed"
        CANCELLED = RunStatus.CANCELLED, "Cancelled"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    triggered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # How many items the first step planned; None until it has.
    total = models.PositiveIntegerField(null=True, blank=True)
    rows = models.PositiveIntegerField(default=0)
    requests = models.PositiveIntegerField(default=0)
    # What Klenty did not answer, one line each (the run goes on past them); `error`
    # says why a run stopped.
    errors = models.TextField(blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["kind", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} pull {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def finished(self) -> bool:
        return self.status in (*FINISHED_STATUSES, self.Status.PARTIAL)


class PullItem(BackgroundItem):
    """One piece of a pull: a cadence's day (engagement), a cadence (step-wise, `day`
    the snapshot's) or a team member (calls, `day` the run's today)."""

    class State(models.TextChoices):
        PENDING = ItemState.PENDING, "Pending"
        SENDING = ItemState.SENDING, "Fetching"
        DONE = "done", "Fetched"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not asked"

    run = models.ForeignKey(PullRun, on_delete=models.CASCADE, related_name="items")
    cadence_name = models.CharField(max_length=255, blank=True)
    cadence_id = models.CharField(max_length=64, blank=True)
    member = models.EmailField(blank=True)
    day = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["run", "state"])]

    def __str__(self) -> str:
        return f"{self.member or self.cadence_name} {self.day}"


class ReportSubscription(models.Model):
    """A user's standing order for a report email."""

    class Frequency(models.TextChoices):
        DAILY = "daily", "Daily"
        WEEKLY = "weekly", "Weekly"

    class Report(models.TextChoices):
        ENGAGEMENT = "engagement", "Email engagement"
        CALLS = "calls", "Calls"
        CADENCES = "cadences", "Cadence comparison"

    class Weekday(models.IntegerChoices):
        MONDAY = 0, "Monday"
        TUESDAY = 1, "Tuesday"
        WEDNESDAY = 2, "Wednesday"
        THURSDAY = 3, "Thursday"
        FRIDAY = 4, "Friday"
        SATURDAY = 5, "Saturday"
        SUNDAY = 6, "Sunday"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="report_subscriptions"
    )
    report = models.CharField(max_length=16, choices=Report.choices, default=Report.ENGAGEMENT)
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.WEEKLY)
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices, default=Weekday.MONDAY)
    hour = models.PositiveSmallIntegerField(default=8)
    time_zone = models.CharField(max_length=64, default="UTC")
    # The dashboard's query string (range, cadences, reps), as the URL spells it.
    filters = models.CharField(max_length=2000, blank=True)
    extra_recipients = models.TextField(blank=True, help_text="Team members' emails, one a line.")
    # What the email carries beside the report's charts (reporting/email_cockpit.py).
    include_scorecard = models.BooleanField(
        "the scorecard",
        default=False,
        help_text="Each team member's figures for the report's dates (a Rep: their own).",
    )
    include_pacing = models.BooleanField(
        "goals pacing",
        default=False,
        help_text="Each goal of the pacing period: so far, projected, on track or not.",
    )
    pacing_period = models.CharField(
        "pacing period",
        max_length=8,
        choices=Goal.Period.choices,
        default=Goal.Period.MONTH,
        help_text="Goals are paced over the week, month or quarter the email is sent in.",
    )
    include_alerts = models.BooleanField(
        "the alerts of the period",
        default=False,
        help_text="Alerts that fired or were still open during the report's dates.",
    )
    active = models.BooleanField(default=True)
    unsubscribe_token = models.CharField(max_length=64, unique=True)
    next_send_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["user_id", "id"]

    def __str__(self) -> str:
        return f"{self.get_report_display()} for {self.user}"

    @property
    def email_label(self) -> str:
        """What its emails are called in messages: "The weekly email engagement report
        email for morgan"."""
        frequency = self.get_frequency_display().lower()
        return f"The {frequency} {self.get_report_display().lower()} report email for {self.user}"

    @property
    def extras(self) -> str:
        """What it carries beside the report, in words: "the scorecard, goals pacing
        (month) and the alerts of the period" ("" for nothing)."""
        parts = []
        if self.include_scorecard:
            parts.append("the scorecard")
        if self.include_pacing:
            parts.append(f"goals pacing ({self.get_pacing_period_display().lower()})")
        if self.include_alerts:
            parts.append("the alerts of the period")
        if len(parts) > 1:
            return f"{', '.join(parts[:-1])} and {parts[-1]}"
        return "".join(parts)

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.time_zone)

    @property
    def recipient_list(self) -> list[str]:
        extra = [e.strip().lower() for e in self.extra_recipients.split() if e.strip()]
        own = [self.user.email] if self.user.email else []
        return list(dict.fromkeys(own + extra))


class ReportDelivery(BackgroundRun):
    """One email a subscription owed, a run of the background framework without items
    (reporting/emails.py): sent, waiting for a retry, or given up.

    It outlives its subscription (the link is then empty) so that a delivery whose
    subscription was deleted under it ends with a reason, not with its row gone.
    """

    class Status(models.TextChoices):
        # The framework's values (queued, running, done, failed, cancelled) under
        # what a delivery calls them, and the two states of its own.
        PENDING = RunStatus.QUEUED, "Pending"
        SENDING = RunStatus.RUNNING, "Sending"
        SENT = RunStatus.DONE, "Sent"
        RETRYING = "retrying", "Failed, will retry"
        FAILED = RunStatus.FAILED, "Failed"
        UNKNOWN = "unknown", "Maybe sent"
        CANCELLED = RunStatus.CANCELLED, "Cancelled"

    subscription = models.ForeignKey(
        ReportSubscription,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="deliveries",
    )
    # Who it was for and what it is called (`ReportSubscription.email_label`), kept
    # when the subscription is deleted.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.CASCADE,
        related_name="report_deliveries",
    )
    label = models.CharField(max_length=200, blank=True)
    scheduled_for = models.DateTimeField()
    is_test = models.BooleanField(default=False)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(default=timezone.now, db_index=True)
    # Set just before the message is handed to the mail server: a delivery found
    # with this set and not sent was in flight when its worker died.
    handing_over_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.TextField(blank=True)
    subject = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.label or 'A report email'} at {self.scheduled_for:%Y-%m-%d %H:%M}"

    @property
    def finished(self) -> bool:
        return self.status in (*FINISHED_STATUSES, self.Status.UNKNOWN)

    @property
    def message_id(self) -> str:
        """The Message-ID of this delivery's email, the same on every attempt, so a
        mail client shows a duplicate once and the sent mail can be checked for it."""
        return f"<report-delivery-{self.pk}@klentyadmin>"
