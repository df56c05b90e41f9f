from __future__ import annotations

from typing import Any

from django import forms
from django.core.validators import validate_email

from klentyadmin.core.connection_settings import ConnectionForm
from klentyadmin.core.models import Connection


class KlentyConnectionForm(ConnectionForm):
    """The Klenty key and team."""

    key_help = "Klenty → Settings → Integrations."
    key_name = "Klenty API key"

    team_emails = forms.CharField(
        label="Team member emails",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line. The first is the user the API paths are scoped to.",
    )

    @classmethod
    def initial_for(cls, connection: Connection | None) -> dict[str, Any]:
        return {"team_emails": "\n".join(connection.team_email_list) if connection else ""}

    def clean_team_emails(self) -> list[str]:
        emails = []
        for line_no, line in enumerate(self.cleaned_data["team_emails"].splitlines(), start=1):
            email = line.strip().lower()
            if not email:
                continue
            try:
                validate_email(email)
            except forms.ValidationError:
                raise forms.ValidationError(
                    f"Line {line_no}: {email!r} is not an email address."
                ) from None
            if email not in emails:
                emails.append(email)
        return emails

    def save(self, connection: Connection) -> None:
        connection.team_emails = "\n".join(self.cleaned_data["team_emails"])
        super().save(connection)
