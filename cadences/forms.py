"""Forms of the cadences app. Every value is checked here, before any call to Klenty."""

from __future__ import annotations

from django import forms
from django.conf import settings

from cadences.models import Cadence
from klentyadmin.integrations.klenty import WEBHOOK_EVENTS
from klentyadmin.lib.event_labels import event_label
from klentyadmin.lib.internal_hosts import internal_target
from prospects.models import BulkAction
from prospects.selection import SELECTED, SelectionForm

EVENT_CHOICES = [(e, event_label(e)) for e in WEBHOOK_EVENTS]
_EVENTS_BY_LOWER = {e.lower(): e for e in WEBHOOK_EVENTS}


class WebhookForm(forms.Form):
    event = forms.CharField(max_length=200, widget=forms.Select(choices=EVENT_CHOICES))
    url = forms.URLField(
        required=False,
        max_length=1000,
        label="URL",
        assume_scheme="https",
        widget=forms.TextInput(attrs={"inputmode": "url", "placeholder": "https://…"}),
        help_text="Leave empty to point it at this dashboard's receiver.",
    )

    def clean_event(self) -> str:
        event = self.cleaned_data["event"].strip()
        canonical = _EVENTS_BY_LOWER.get(event.lower())
        if canonical is None:
            raise forms.ValidationError(
                f"“{event[:64]}” is not a Klenty webhook event. "
                f"Choose one of: {', '.join(label for _, label in EVENT_CHOICES)}."
            )
        return canonical

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        if url and not url.lower().startswith(("http://", "https://")):
            raise forms.ValidationError("Klenty can only call http:// or https:// addresses.")
        internal = url and not settings.WEBHOOK_ALLOW_PRIVATE_TARGETS and internal_target(url)
        if internal:
            raise forms.ValidationError(
                f"{internal}, inside this network: Klenty may only be given addresses "
                "on the public internet."
            )
        return url


class KlentyIdForm(forms.Form):
    klenty_id = forms.CharField(max_length=64)


class FeedFilterForm(forms.Form):
    """The activity feed's filters, all in the URL. A value that does not parse is not
    applied and says so (the feed is never silently widened without a word). A Rep's
    feed is their own prospects' already, so a Rep has no owner filter."""

    type = forms.ChoiceField(
        required=False, label="Event", choices=[("", "Any event"), *EVENT_CHOICES]
    )
    cadence = forms.CharField(required=False, max_length=255)
    owner = forms.EmailField(
        required=False,
        max_length=254,
        label="Prospect owner",
        error_messages={"invalid": "Choose an owner from the list."},
    )
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, data=None, *, user=None) -> None:
        super().__init__(data)
        self.fields["type"].error_messages["invalid_choice"] = "Choose an event from the list."
        if user is not None and not user.is_manager_or_admin:
            del self.fields["owner"]

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    def valid_filters(self) -> dict:
        """The filters that parsed; the others are left out (and shown as errors)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


class CadenceActionForm(SelectionForm):
    """Stop or resume the cadence for prospects ticked on the cadence page (only
    ticked ones: the page offers no "all matching")."""

    scope = forms.ChoiceField(choices=[(SELECTED, SELECTED)], required=False)
    nothing_ticked = "Tick at least one prospect."
    action = forms.ChoiceField(
        choices=[
            (BulkAction.STOP_CADENCE, "Stop"),
            (BulkAction.RESUME_CADENCE, "Resume"),
        ]
    )


class AddSearchForm(forms.Form):
    """Start a cadence for every prospect a search matches (the search as a query string)."""

    cadence = forms.ModelChoiceField(queryset=Cadence.objects.all(), empty_label="Choose…")
    query = forms.CharField(required=False, max_length=2000, widget=forms.HiddenInput)
