from __future__ import annotations

import re
from typing import Any

from django import forms

from klentyadmin.core.connection_settings import ConnectionForm
from klentyadmin.core.models import Connection
from klentyadmin.integrations.snov.client import forget_tokens
from prospects.forms import is_row_id

DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9-]+\.)+[a-z0-9-]{2,}$")
MAX_VERIFY = 500
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_domain_value(value: str) -> str:
    domain = value.strip().lower()
    for prefix in ("https://", "http://", "www."):
        domain = domain.removeprefix(prefix)
    domain = domain.split("/")[0]
    if not DOMAIN_RE.match(domain):
        raise forms.ValidationError("Enter a company domain such as brightforge.example.")
    return domain


class DomainForm(forms.Form):
    domain = forms.CharField(max_length=253)
    page = forms.IntegerField(min_value=1, max_value=500, required=False)

    def clean_domain(self) -> str:
        return clean_domain_value(self.cleaned_data["domain"])


class FinderForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    domain = forms.CharField(max_length=253)

    def clean_domain(self) -> str:
        return clean_domain_value(self.cleaned_data["domain"])


class VerifierForm(forms.Form):
    emails = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), help_text="One a line, up to 500."
    )

    def clean_emails(self) -> list[str]:
        raw = re.split(r"[\s,;]+", self.cleaned_data["emails"])
        emails = list(dict.fromkeys(e.strip().lower() for e in raw if e.strip()))
        bad = [e for e in emails if not EMAIL_RE.match(e)]
        if bad:
            raise forms.ValidationError(f"Not an email address: {', '.join(bad[:5])}")
        if len(emails) > MAX_VERIFY:
            raise forms.ValidationError(f"Paste at most {MAX_VERIFY} emails at a time.")
        return emails


class SendForm(forms.Form):
    list_name = forms.CharField(max_length=255)
    cadence_name = forms.CharField(max_length=255, required=False)
    company = forms.CharField(max_length=255, required=False)
    domain = forms.CharField(max_length=253, required=False)

    def clean_list_name(self) -> str:
        name = self.cleaned_data["list_name"].strip()
        if not name:
            raise forms.ValidationError("Choose a Klenty list.")
        return name


class SnovConnectionForm(ConnectionForm):
    """The Snov.io client id and secret (the secret is the connection's key)."""

    key_label = "Client secret"
    key_noun = "secret"
    key_help = "Snov.io → Account settings → API."
    key_name = "Snov.io client secret"
    clear_label = "Remove the stored client id and secret (use the sandbox)"

    client_id = forms.CharField(label="Client id", max_length=255, required=False)
    field_order = ["client_id", "api_key", "clear_key"]

    @classmethod
    def initial_for(cls, connection: Connection | None) -> dict[str, Any]:
        return {"client_id": connection.client_id if connection else ""}

    def clean_client_id(self) -> str:
        return self.cleaned_data["client_id"].strip()

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("clear_key") and not cleaned.get("client_id"):
            self.add_error("client_id", "Enter the client id that goes with the secret.")
        return cleaned

    def save(self, connection: Connection) -> None:
        connection.client_id = (
            "" if self.cleaned_data["clear_key"] else self.cleaned_data["client_id"]
        )
        super().save(connection)
        # A token from the old credentials must not outlive them.
        forget_tokens()


class VerifySelectionForm(forms.Form):
    prospect_ids = forms.CharField(required=False)  # comma-separated, from the search page
    query = forms.CharField(required=False)  # or "all N matching": the search's querystring
    tag = forms.CharField(max_length=100, initial="invalid-email")
    mark_dnc = forms.BooleanField(required=False, label="Also mark them Do-Not-Contact")

    def clean_prospect_ids(self) -> list[int]:
        ids = [x.strip() for x in self.cleaned_data["prospect_ids"].split(",") if x.strip()]
        if not all(is_row_id(x) for x in ids):
            raise forms.ValidationError("The selection is not valid.")
        return [int(x) for x in ids]

    def clean_tag(self) -> str:
        tag = self.cleaned_data["tag"].strip()
        if not tag or "|" in tag:
            raise forms.ValidationError("Give a tag without '|'.")
        return tag


class AnalyticsForm(forms.Form):
    date_from = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    date_to = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            raise forms.ValidationError("The start date is after the end date.")
        return data


class RecipientStatusForm(forms.Form):
    email = forms.EmailField()
    status = forms.ChoiceField(choices=[(s, s) for s in ("Active", "Paused", "Unsubscribed")])

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


WEBHOOK_EVENT_CHOICES = [
    ("campaign_email.sent", "Campaign email sent"),
    ("campaign_email.first_sent", "First campaign email sent"),
    ("campaign_email.opened", "Campaign email opened"),
    ("campaign_reply.received", "Campaign reply received"),
    ("campaign_reply.first_received", "First campaign reply received"),
]


class WebhookForm(forms.Form):
    event = forms.ChoiceField(choices=WEBHOOK_EVENT_CHOICES)

    def clean_event(self) -> tuple[str, str]:
        obj, _, action = self.cleaned_data["event"].partition(".")
        return obj, action
