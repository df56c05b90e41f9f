"""Moving people between the contacts CRM and Klenty.

A `Transfer` is one run in one direction. Klenty → CRM ("push") items move
pending → sending → created | exists | invalid | failed in the worker, run by the
background framework (klentyadmin.core.background, kind "crm_push"). CRM → Klenty ("import") hands
its rows to the bulk engine (prospects.bulk) and keeps here only the rows it did
not send, with the reason (already in Klenty, no email).
"""

from __future__ import annotations

from django.db import models

from klentyadmin.core.background.models import BackgroundItem, BackgroundRun
from klentyadmin.integrations.crm import LeadStatus


class Transfer(BackgroundRun):
    class Direction(models.TextChoices):
        TO_CRM = "to_crm", "Klenty → CRM"
        TO_KLENTY = "to_klenty", "CRM → Klenty"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    direction = models.CharField(max_length=16, choices=Direction.choices)
    created_by = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, related_name="crm_transfers"
    )
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    description = models.CharField(max_length=500, blank=True)
    total = models.PositiveIntegerField(default=0)
    # Push: the lead status every new contact gets (id, label, color as chosen).
    lead_status = models.JSONField(default=dict, blank=True)
    # Import: the bulk engine's job that sends the rows to Klenty.
    bulk_job = models.OneToOneField(
        "prospects.BulkJob",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="crm_transfer",
    )

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} × {self.total}"

    @property
    def lead_status_badge(self) -> LeadStatus | None:
        s = self.lead_status
        return LeadStatus(id=s["id"], label=s["label"], color=s["color"]) if s else None

    @property
    def is_push(self) -> bool:
        return self.direction == self.Direction.TO_CRM


class TransferItem(BackgroundItem):
    class State(models.TextChoices):
        PENDING = "pending", "Pending"
        SENDING = "sending", "Sending"
        CREATED = "created", "Created in the CRM"
        EXISTS = "exists", "Already in the CRM"
        INVALID = "invalid", "Invalid"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent"

    FINAL_OK = (State.CREATED, State.EXISTS)

    transfer = models.ForeignKey(Transfer, on_delete=models.CASCADE, related_name="items")
    prospect = models.ForeignKey(
        "prospects.Prospect",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="crm_transfer_items",
    )
    email = models.CharField(max_length=254, blank=True)
    name = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=16, choices=State.choices, default=State.PENDING)
    crm_contact_id = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["transfer", "state"])]

    def __str__(self) -> str:
        return f"{self.email or self.name}: {self.state}"
