from __future__ import annotations

import zoneinfo

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator


class LoginForm(AuthenticationForm):
    """Django's sign-in form, with the username's length checked on the server.

    AuthenticationForm sets `max_length` after the field is built, so browsers see it
    but no validator runs: an overlong username would reach authenticate() and
    django-axes, whose AccessAttempt.username holds 255 characters, and PostgreSQL
    would refuse that row (a 500). Refused here, it never gets that far.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators.append(MaxLengthValidator(username.max_length))


def time_zone_choices() -> list[tuple[str, str]]:
    """Every IANA zone this machine knows, by name (Asia/Kolkata, Europe/Berlin, UTC)."""
    return [(name, name.replace("_", " ")) for name in sorted(zoneinfo.available_timezones())]


class TimeZoneForm(forms.Form):
    """One's own time zone: one of the known zones, never free text."""

    time_zone = forms.ChoiceField(
        label="Time zone",
        help_text="Dates and times everywhere in the console are shown in this zone.",
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices()

    def save(self, user) -> None:
        chosen = self.cleaned_data["time_zone"]
        # The site's zone is stored as "no choice", so the user follows the site's.
        user.time_zone = "" if chosen == settings.TIME_ZONE else chosen
        user.save(update_fields=["time_zone"])
