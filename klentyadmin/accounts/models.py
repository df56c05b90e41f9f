from __future__ import annotations

import zoneinfo

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    ADMIN = "admin", "Admin"
    MANAGER = "manager", "Manager"
    REP = "rep", "Rep"


class User(AbstractUser):
    """A person who signs in. The role decides what they may see and do.

    `klenty_email` links the user to a Klenty team member: a Rep sees only the
    prospects that member owns and the calls that member made.
    """

    role = models.CharField(max_length=16, choices=Role.choices, default=Role.REP)
    klenty_email = models.EmailField(
        "Klenty team member email",
        blank=True,
        help_text="The email this person signs in to Klenty with; Reps see only what it owns.",
    )
    # Empty means the site's zone (settings.TIME_ZONE), so a user who never chose one
    # follows the site, and changing TIME_ZONE moves them with it.
    time_zone = models.CharField(
        "time zone",
        max_length=64,
        blank=True,
        help_text="Dates and times are shown in this zone; empty means the site's zone.",
    )

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        """The zone this user's pages are shown in: their own, else the site's."""
        try:
            return zoneinfo.ZoneInfo(self.time_zone or settings.TIME_ZONE)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.TIME_ZONE)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def is_manager_or_admin(self) -> bool:
        return self.is_admin or self.role == Role.MANAGER

    @property
    def is_rep(self) -> bool:
        return not self.is_manager_or_admin

    def save(self, *args, **kwargs):
        # A superuser made with createsuperuser is an Admin here too.
        if self.is_superuser:
            self.role = Role.ADMIN
        self.klenty_email = self.klenty_email.strip().lower()
        super().save(*args, **kwargs)
