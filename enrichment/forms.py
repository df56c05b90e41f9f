from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.validators import URLValidator

from enrichment import services
from enrichment.services import Row
from klentyadmin.core.connection_settings import ConnectionForm
from klentyadmin.core.models import Connection
from klentyadmin.core.once import OneTimeKeyForm
from klentyadmin.integrations.snov.client import forget_tokens
from klentyadmin.integrations.snov.types import WEBHOOK_EVENT_LABELS as SNOV_WEBHOOK_EVENT_LABELS
from prospects.owners import NotLinkedToKlenty, emails_already_added, owner_of_new_prospects
from prospects.selection import SelectionForm

DOMAIN_RE = re.compile(r"^(?=.{3,253}$)([a-z0-9-]+\.)+[a-z0-9-]{2,}$")
MAX_VERIFY = 500
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MAX_SENT_ROWS = 500
ALL_ALREADY_IN_KLENTY = "Every ticked email is already in Klenty, so nothing was sent."
NOT_FROM_RESULTS = (
    "Some of the ticked emails are not from your own verified results (or are more "
    "than a day old), so nothing was sent. Verify them again, then send."
)


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
    # "Search again": ask Snov.io even when stored results are fresh enough.
    fresh = forms.BooleanField(required=False)

    def clean_domain(self) -> str:
        return clean_domain_value(self.cleaned_data["domain"])


class FinderForm(forms.Form):
    first_name = forms.CharField(max_length=100)
    last_name = forms.CharField(max_length=100)
    domain = forms.CharField(max_length=253)

    def clean_domain(self) -> str:
        return clean_domain_value(self.cleaned_data["domain"])


class VerifierForm(OneTimeKeyForm):
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


class SendForm(OneTimeKeyForm):
    """Send to Klenty: the ticked `row` values (each sealed for this user by the
    verify step, see services.sealed_value) become `self.rows`."""

    list_name = forms.CharField(max_length=255)
    cadence_name = forms.CharField(max_length=255, required=False)
    company = forms.CharField(max_length=255, required=False)
    domain = forms.CharField(max_length=253, required=False)

    def __init__(self, *args, user=None, **kwargs):  # the user is needed once bound
        super().__init__(*args, **kwargs)
        self.user = user
        self.rows: list[Row] = []

    def clean_list_name(self) -> str:
        name = self.cleaned_data["list_name"].strip()
        if not name:
            raise forms.ValidationError("Choose a Klenty list.")
        return name

    def clean(self):
        cleaned = super().clean()
        posted = [v for v in self.data.getlist("row") if v.strip()][:MAX_SENT_ROWS]
        rows = [services.unsealed_row(value, self.user) for value in posted]
        self.rows = [row for row in rows if row is not None]
        if not posted:
            self.add_error(None, "Tick at least one email.")
        elif len(self.rows) < len(posted):
            self.add_error(None, NOT_FROM_RESULTS)
        elif self._all_already_in_klenty():
            # send_to_klenty skips them: it would start a job with nothing to do.
            self.add_error(None, ALL_ALREADY_IN_KLENTY)
        try:
            owner_of_new_prospects(self.user)
        except NotLinkedToKlenty as exc:
            self.add_error(None, str(exc))
        return cleaned

    def _all_already_in_klenty(self) -> bool:
        emails = {row.email for row in self.rows}
        return emails <= emails_already_added(self.user, emails)

    def refusal(self) -> str:
        """What the send_error partial says about an invalid form."""
        return " ".join(self.non_field_errors()) or "Choose a Klenty list."


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


class VerifySelectionForm(OneTimeKeyForm, SelectionForm):
    """The prospects chosen on a search (resolved by prospects.selection), the tag the
    invalid ones get, and whether they are also marked Do-Not-Contact."""

    tag = forms.CharField(max_length=100, required=False, initial="invalid-email")
    mark_dnc = forms.BooleanField(required=False, label="Also mark them Do-Not-Contact")

    def clean_tag(self) -> str:
        if "tag" not in self.data:  # the search page posts only its selection
            return self.fields["tag"].initial
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


WEBHOOK_EVENT_CHOICES = list(SNOV_WEBHOOK_EVENT_LABELS.items())


class WebhookForm(forms.Form):
    event = forms.ChoiceField(choices=WEBHOOK_EVENT_CHOICES)

    def clean_event(self) -> tuple[str, str]:
        obj, _, action = self.cleaned_data["event"].partition(".")
        return obj, action


class SnovListForm(forms.Form):
    name = forms.CharField(max_length=100, label="New list name")

    def clean_name(self) -> str:
        name = self.cleaned_data["name"].strip()
        if not name:
            raise forms.ValidationError("Name the list.")
        return name


class SendListForm(OneTimeKeyForm):
    """A Snov.io list into Klenty: which Klenty list, and a cadence if any."""

    list_name = forms.CharField(max_length=255, label="Klenty list")
    cadence_name = forms.CharField(max_length=255, required=False, label="Cadence (optional)")
    # Which 500 of a bigger list (enrichment/snov_lists.py: parts).
    part = forms.IntegerField(min_value=0, max_value=10_000, required=False)

    def clean_list_name(self) -> str:
        name = self.cleaned_data["list_name"].strip()
        if not name:
            raise forms.ValidationError("Choose or type a Klenty list.")
        return name

    def clean_part(self) -> int:
        return self.cleaned_data["part"] or 0


class DoNotEmailForm(forms.Form):
    """An email or a domain for Snov.io's Do-not-email List, and why (kept in the
    audit log: Snov.io stores no reason)."""

    item = forms.CharField(max_length=254, label="Email or domain")
    reason = forms.CharField(max_length=200, label="Reason")
    list_id = forms.CharField(
        max_length=32,
        label="Do-not-email list id",
        help_text="Snov.io's id of your Do-not-email List (SNOV_DO_NOT_EMAIL_LIST_ID).",
    )

    def clean_item(self) -> str:
        item = self.cleaned_data["item"].strip().lower()
        if "@" in item:
            if not EMAIL_RE.match(item):
                raise forms.ValidationError("Enter an email such as ana@brightforge.example.")
            return item
        return clean_domain_value(item)

    def clean_reason(self) -> str:
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("Say why, for the audit log.")
        return reason

    def clean_list_id(self) -> str:
        value = self.cleaned_data["list_id"].strip()
        if not value.isdigit():
            raise forms.ValidationError("The list id is a number, as Snov.io shows it.")
        return value


PROFILE_URL_HINT = "Enter a profile URL such as https://www.linkedin.com/in/ana-silva/."


class ProfileUrlForm(forms.Form):
    """A social profile URL (LinkedIn or X, as Snov.io takes) for "Add URL to search"
    and "Get prospect with URL"."""

    url = forms.URLField(
        max_length=300,
        validators=[URLValidator(schemes=["http", "https"], message=PROFILE_URL_HINT)],
        label="LinkedIn profile URL",
        assume_scheme="https",
        error_messages={"invalid": PROFILE_URL_HINT},
    )
    # "Check again" asks only the free lookup: the search was paid for already.
    check_only = forms.BooleanField(required=False)
