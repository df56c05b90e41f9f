"""The columns every kind of background work shares.

Field names are those the first kinds (bulk jobs, transfers) already had, so a
model adopting these needs few or no migrations. A kind may redeclare `status`
or `state` with its own choices, as long as it keeps the values named here.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class RunStatus(models.TextChoices):
    QUEUED = "queued", "Queued"
    RUNNING = "running", "Running"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"
    CANCELLED = "cancelled", "Cancelled"


class ItemState(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"


FINISHED_STATUSES = (RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED)


class BackgroundRun(models.Model):
    Status = RunStatus

    status = models.CharField(max_length=16, choices=RunStatus.choices, default=RunStatus.QUEUED)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # A runner holds the lease while it works; a lapsed lease means the runner died.
    lease_until = models.DateTimeField(null=True, blank=True)
    # Why the run ended "failed" (what the user reads), empty otherwise.
    error = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def finished(self) -> bool:
        return self.status in FINISHED_STATUSES


class BackgroundItem(models.Model):
    state = models.CharField(max_length=16, default=ItemState.PENDING)
    message = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True
