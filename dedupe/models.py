"""The keys duplicates are found by, and the pairs found.

`DedupeKey` holds one row per person we know of (a cached Klenty prospect, or a CRM
contact read from the CRM's API), with the normalised keys of dedupe/rules.py in
indexed columns, so finding pairs is a GROUP BY over an index rather than a scan of
the prospects table (which this app does not change). `DuplicatePair` is what the
last look found, so the Duplicates page pages through a table with constant queries.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class Source(models.TextChoices):
    KLENTY = "klenty", "Klenty"
    CRM = "crm", "CRM"
    SNOV = "snov", "Snov.io list"


class DedupeKey(models.Model):
    source = models.CharField(max_length=16, choices=Source.choices)
    # The prospect's pk or the CRM contact's id: who this is in its source.
    record_id = models.CharField(max_length=64)
    prospect = models.ForeignKey(
        "prospects.Prospect", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    email = models.CharField(max_length=254, blank=True)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    company = models.CharField(max_length=255, blank=True)
    owner_email = models.CharField(max_length=254, blank=True)
    email_key = models.CharField(max_length=254, blank=True, db_index=True)
    name_key = models.CharField(max_length=600, blank=True, db_index=True)
    # For a CRM contact or a Snov.io list's prospect: what the merge page shows.
    details = models.JSONField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "record_id"], name="dedupe_key_once")
        ]
        indexes = [models.Index(fields=["source", "owner_email"])]

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.email or self.record_id}"

    @property
    def name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip() or self.email


class DuplicatePair(models.Model):
    """Two records that look like one person; `left` is the older Klenty prospect."""

    left = models.ForeignKey(DedupeKey, on_delete=models.CASCADE, related_name="+")
    right = models.ForeignKey(DedupeKey, on_delete=models.CASCADE, related_name="+")
    same_email = models.BooleanField(default=False)
    same_name = models.BooleanField(default=False)
    # The owners at the last look, so a Rep's pairs are found through an index; the
    # page checks the owners as they are now as well (finding.pairs_visible_to).
    left_owner = models.CharField(max_length=254, blank=True)
    right_owner = models.CharField(max_length=254, blank=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["left_owner", "right_owner"])]
        constraints = [models.UniqueConstraint(fields=["left", "right"], name="dedupe_pair_once")]

    def __str__(self) -> str:
        return f"{self.left} ~ {self.right}"


class ResolvedPair(models.Model):
    """A pair someone merged: not offered again, whatever the next look finds."""

    left_source = models.CharField(max_length=16, choices=Source.choices)
    left_record = models.CharField(max_length=64)
    right_source = models.CharField(max_length=16, choices=Source.choices)
    right_record = models.CharField(max_length=64)
    resolved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["left_source", "left_record", "right_source", "right_record"],
                name="dedupe_resolved_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.left_source}:{self.left_record} ~ {self.right_source}:{self.right_record}"


class LastLook(models.Model):
    """When duplicates were last looked for, and over how many records (one row)."""

    looked_at = models.DateTimeField(null=True, blank=True)
    klenty_records = models.PositiveIntegerField(default=0)
    crm_records = models.PositiveIntegerField(default=0)
    crm_read_at = models.DateTimeField(null=True, blank=True)
    crm_error = models.CharField(max_length=500, blank=True)
    snov_records = models.PositiveIntegerField(default=0)
    snov_read_at = models.DateTimeField(null=True, blank=True)
    snov_error = models.CharField(max_length=500, blank=True)

    def __str__(self) -> str:
        return f"Looked at {self.looked_at}"
