from __future__ import annotations

from django import forms
from django.core.validators import validate_email


class KlentyConnectionForm(forms.Form):
    """The Klenty key and team. A blank key field keeps the stored key."""

    api_key = forms.CharField(
        label="API key",
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Klenty → Settings → Integrations. Leave blank to keep the stored key.",
    )
    clear_key = forms.BooleanField(label="Remove the stored key (use the sandbox)", required=False)
    team_emails = forms.CharField(
        label="Team member emails",
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="One per line. The first is the user the API paths are scoped to.",
    )

    def clean_api_key(self) -> str:
        key = self.cleaned_data["api_key"]
        if key and (len(key) < 8 or any(c.isspace() for c in key)):
            raise forms.ValidationError("That does not look like a Klenty API key.")
        return key

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
