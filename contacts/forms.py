"""Forms for the CRM pages: what the browser may post, checked field by field."""

from __future__ import annotations

from django import forms

from klentyadmin.core.connection_settings import ConnectionForm
from prospects.selection import SelectionForm

SCOPES = [("selected", "selected"), ("all", "all")]


class ContactSelectionForm(forms.Form):
    """CRM contacts chosen on the contacts page: ids from the search `query`
    (re-run on the server, so the data sent comes from the CRM, not the browser)."""

    scope = forms.ChoiceField(choices=SCOPES, initial="selected")
    contact_ids = forms.MultipleChoiceField(required=False)
    query = forms.CharField(required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any id is acceptable here; the search's answer decides which exist.
        self.fields["contact_ids"].valid_value = lambda value: 0 < len(str(value)) <= 64

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("scope") == "selected" and not cleaned.get("contact_ids"):
            raise forms.ValidationError("Tick at least one contact, or choose all matching.")
        return cleaned


class ImportForm(ContactSelectionForm):
    list_name = forms.CharField(
        required=False,
        max_length=255,
        label="Klenty list",
        help_text="Optional. A new name creates the list; empty uses Klenty's default list.",
    )
    owner = forms.ChoiceField(required=False, label="Owner in Klenty")

    def __init__(self, *args, team: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].choices = [("", "Klenty's default (the API's team member)")] + [
            (email, email) for email in team
        ]

    def clean_list_name(self) -> str:
        name = self.cleaned_data["list_name"].strip()
        if "|" in name:
            raise forms.ValidationError("A list name cannot contain “|”.")
        return name


class PushForm(SelectionForm):
    """Klenty prospects chosen on a search (resolved by prospects.selection), and the
    lead status they get in the CRM."""

    lead_status = forms.TypedChoiceField(coerce=int, required=False, label="Lead status")

    def __init__(self, *args, statuses=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.statuses = {s.id: s for s in statuses}
        self.fields["lead_status"].choices = [("", "None")] + [(s.id, s.label) for s in statuses]
        self.fields["lead_status"].empty_value = None

    def clean_lead_status(self):
        value = self.cleaned_data["lead_status"]
        return self.statuses.get(value) if value is not None else None


class CrmConnectionForm(ConnectionForm):
    """The CRM key."""

    key_help = "Skarbe → Settings → API: keys are per workspace and shown once."
    key_name = "CRM API key"
