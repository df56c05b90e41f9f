"""The local cache of the team's Klenty prospects.

Klenty's API has no search; every list, filter and count in the dashboard is
answered from these tables, which the sync keeps current.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from klentyadmin.core.background.models import BackgroundItem, BackgroundRun, RunStatus
from klentyadmin.integrations.values import person_name


class ProspectList(models.Model):
    klenty_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    name = models.CharField(max_length=255, unique=True)
    synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProspectQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProspectQuerySet:
        """Managers and Admins see the whole team; a Rep only what their Klenty email owns."""
        if user.is_manager_or_admin:
            return self
        if not user.klenty_email:
            return self.none()
        return self.filter(owner_email=user.klenty_email)


class Prospect(models.Model):
    # Klenty's documented prospect fields.
    klenty_id = models.CharField(max_length=64, unique=True, null=True, blank=True)
    email = models.EmailField(max_length=254, unique=True)
    first_name = models.CharField(max_length=150, blank=True)
    middle_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    full_name = models.CharField(max_length=300, blank=True)
    company = models.CharField(max_length=255, blank=True)
    company_domain = models.CharField(max_length=255, blank=True)
    account = models.CharField(max_length=255, blank=True)
    department = models.CharField(max_length=255, blank=True)
    title = models.CharField(max_length=255, blank=True)
    location = models.CharField(max_length=255, blank=True)
    phone = models.CharField(max_length=64, blank=True)
    twitter_id = models.CharField(max_length=255, blank=True)
    company_phone = models.CharField(max_length=64, blank=True)
    company_email = models.CharField(max_length=254, blank=True)
    linkedin_url = models.CharField(max_length=500, blank=True)
    city = models.CharField(max_length=150, blank=True)
    country = models.CharField(max_length=150, blank=True)
    prospect_list = models.ForeignKey(
        ProspectList, null=True, blank=True, on_delete=models.SET_NULL, related_name="prospects"
    )
    tags = models.JSONField(default=list, blank=True)
    # "|tag one|tag two|": lets every database filter by one tag with a plain LIKE.
    tags_text = models.CharField(max_length=1000, blank=True, db_index=True)
    custom_fields = models.JSONField(default=dict, blank=True)
    owner_email = models.EmailField(blank=True, db_index=True, help_text="Klenty's assignTo.")
    outcome = models.CharField(max_length=100, blank=True)
    prospect_status = models.CharField(max_length=64, blank=True, db_index=True)
    cadence_status = models.CharField(max_length=64, blank=True, db_index=True)
    cadence_name = models.CharField(
        max_length=255,
        blank=True,
        db_index=True,
        help_text="The cadence last seen for this prospect.",
    )

    # What we know of Klenty's dates, and our own sync bookkeeping.
    created_on = models.DateField(null=True, blank=True, db_index=True)
    updated_on = models.DateField(null=True, blank=True, db_index=True)
    first_synced_at = models.DateTimeField(default=timezone.now)
    last_synced_at = models.DateTimeField(default=timezone.now, db_index=True)
    status_checked_at = models.DateTimeField(null=True, blank=True)

    # Lower-cased name, email, company, title and domain, for search as you type.
    search_text = models.TextField(blank=True)

    objects = ProspectQuerySet.as_manager()

    class Meta:
        ordering = ["-last_synced_at", "id"]
        indexes = [
            models.Index(fields=["company"]),
            models.Index(fields=["owner_email", "prospect_status"]),
            models.Index(fields=["prospect_list", "prospect_status"]),
        ]

    def __str__(self) -> str:
        return self.display_name

    def save(self, *args, **kwargs):
        self.refresh_derived_fields()
        super().save(*args, **kwargs)

    @property
    def display_name(self) -> str:
        return person_name(self.full_name, self.first_name, self.last_name, self.email)

    def refresh_derived_fields(self) -> None:
        """Keep the denormalised columns in step with the fields they come from."""
        self.email = self.email.strip().lower()
        self.owner_email = self.owner_email.strip().lower()
        self.tags_text = "".join(f"|{t}" for t in self.tags) + "|" if self.tags else ""
        self.search_text = " ".join(
            part.lower()
            for part in (
                self.full_name or f"{self.first_name} {self.last_name}",
                self.email,
                self.company,
                self.title,
                self.company_domain,
            )
            if part
        )

    @staticmethod
    def tag_filter(tag: str) -> Q:
        return Q(tags_text__contains=f"|{tag}|")


class BulkAction(models.TextChoices):
    START_CADENCE = "start_cadence", "Start cadence"
    STOP_CADENCE = "stop_cadence", "Stop cadence"
    RESUME_CADENCE = "resume_cadence", "Resume cadence"
    STOP_MAILS = "stop_mails", "Stop mails"
    ADD_TAGS = "add_tags", "Add tags"
    REMOVE_TAGS = "remove_tags", "Remove tags"
    ADD_TO_LIST = "add_to_list", "Add to list"
    MARK_DNC = "mark_dnc", "Mark Do-Not-Contact"
    REVERT_DNC = "revert_dnc", "Revert Do-Not-Contact"
    UNSUBSCRIBE = "unsubscribe", "Unsubscribe"
    SET_OUTCOME = "set_outcome", "Set outcome"
    IMPORT = "import", "Import prospects"


# Actions another app adds to the bulk engine (dedupe's "merge"), with their labels:
# the job's `action` choices stay this app's, so adding one needs no migration here.
EXTRA_ACTION_LABELS: dict[str, str] = {}


class BulkJob(models.Model):
    """One action applied to a frozen set of prospects, item by item, in the worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        CANCELLED = "cancelled", "Cancelled"
        DONE = "done", "Done"

    action = models.CharField(max_length=32, choices=BulkAction.choices)
    params = models.JSONField(default=dict, blank=True)
    description = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="bulk_jobs"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    undo_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="undone_by"
    )
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A runner holds the lease while it works; a lapsed lease means the runner died.
    lease_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "lease_until"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} × {self.total}"

    def get_absolute_url(self) -> str:
        return reverse("prospects:job", args=[self.pk])

    def get_action_display(self) -> str:
        labels = {**dict(BulkAction.choices), **EXTRA_ACTION_LABELS}
        return labels.get(self.action, self.action)

    @property
    def finished(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.CANCELLED}


class BulkJobItemQuerySet(models.QuerySet):
    def visible_to(self, user) -> BulkJobItemQuerySet:
        if user.is_manager_or_admin:
            return self
        return self.filter(job__created_by=user)


class BulkJobItem(BackgroundItem):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Skipped"
        CANCELLED = "cancelled", "Cancelled"

    job = models.ForeignKey(BulkJob, on_delete=models.CASCADE, related_name="items")
    prospect = models.ForeignKey(
        Prospect, null=True, blank=True, on_delete=models.SET_NULL, related_name="bulk_items"
    )
    email = models.EmailField()
    payload = models.JSONField(default=dict, blank=True, help_text="Row data for imports.")
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    # The last attempt got no answer (a timeout, a dropped connection, a 5xx), so the
    # change may have been made: a retry asks Klenty before sending it again. An item
    # Klenty refused is sent again as it is.
    outcome_unknown = models.BooleanField(default=False)

    objects = BulkJobItemQuerySet.as_manager()

    class Meta:
        ordering = ["id"]
        indexes = [
            models.Index(fields=["job", "state"]),
            # A prospect's timeline finds import items (no prospect yet) by email.
            models.Index(fields=["email"]),
        ]

    def __str__(self) -> str:
        return f"{self.email}: {self.state}"


class SyncRun(BackgroundRun):
    """One pass of copying Klenty's prospects into the cache: when, how long, what changed.

    A run of the background framework without items (prospects/sync.py, kind
    "prospect_sync"): its cursor says where it is. A failed run is not the end of it:
    the next sync of its kind resumes from the cursor.
    """

    class Kind(models.TextChoices):
        FULL = "full", "Full"
        INCREMENTAL = "incremental", "Incremental"

    Status = RunStatus

    kind = models.CharField(max_length=16, choices=Kind.choices)
    # Running by default, as rows made before the framework were: a new run is queued.
    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.RUNNING)
    triggered_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL
    )
    # Set when the run is made (its cursor's "since" reads it), not when a runner claims it.
    started_at = models.DateTimeField(default=timezone.now)
    lists_total = models.PositiveIntegerField(default=0)
    lists_done = models.PositiveIntegerField(default=0)
    seen = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    moved = models.PositiveIntegerField(default=0)
    # One line per failure of this run, where it stopped and why (`error`: the last one).
    errors = models.TextField(blank=True)
    # Where an interrupted run stopped (list and page), so the next one resumes there.
    cursor = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} sync {self.started_at:%Y-%m-%d %H:%M}"

    @property
    def duration(self):
        return (self.finished_at or timezone.now()) - self.started_at


class ColumnPreference(models.Model):
    """Which columns of the prospects table one user shows (keys of prospects/columns.py).

    One row per user, read on every visit to the table; no row means the default.
    """

    user = models.OneToOneField(
        "accounts.User", on_delete=models.CASCADE, related_name="prospect_columns"
    )
    columns = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {', '.join(self.columns) or 'default'}"

    @classmethod
    def keys_for(cls, user) -> list[str] | None:
        """The user's stored choice, or None: one query."""
        return cls.objects.filter(user=user).values_list("columns", flat=True).first()
