"""Forms for choosing and confirming a bulk action."""

from __future__ import annotations

from django import forms

from prospects.bulk import ACTIONS
from prospects.models import BulkAction
from prospects.selection import SelectionForm
from prospects.tags import split_tags

SELECTABLE_ACTIONS = [
    (value, label) for value, label in BulkAction.choices if value != BulkAction.IMPORT
]


class ActionSelectionForm(SelectionForm):
    """What the search page posts: the action, and which prospects."""

    action = forms.ChoiceField(choices=SELECTABLE_ACTIONS)


class ActionParamsForm(ActionSelectionForm):
    """The confirmation step: the action's own inputs, and for unsubscribe the typed count."""

    cadence_name = forms.CharField(required=False, max_length=255, label="Cadence")
    tags = forms.CharField(required=False, max_length=500, help_text="Comma-separated.")
    list_name = forms.CharField(required=False, max_length=255, label="List")
    outcome = forms.CharField(
        required=False, max_length=100, help_text="Exactly as set up in Klenty (case-sensitive)."
    )
    confirm_count = forms.IntegerField(required=False, label="Type the number of prospects")

    def __init__(self, *args, expected_count: int = 0, cadence_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.expected_count = expected_count
        if cadence_choices:
            self.fields["cadence_name"] = forms.ChoiceField(
                choices=[("", "—"), *[(c, c) for c in cadence_choices]],
                required=False,
                label="Cadence",
            )

    def clean(self):
        cleaned = super().clean()
        action = cleaned.get("action")
        if action in {BulkAction.ADD_TAGS, BulkAction.REMOVE_TAGS}:
            cleaned["tags"] = split_tags(cleaned.get("tags", ""))
            if not cleaned["tags"]:
                self.add_error("tags", "Give at least one tag.")
        required = {
            BulkAction.START_CADENCE: "cadence_name",
            BulkAction.ADD_TO_LIST: "list_name",
            BulkAction.SET_OUTCOME: "outcome",
        }.get(action)
        if required and not cleaned.get(required):
            self.add_error(required, "This action needs it.")
        if action and ACTIONS[action].irreversible:
            if cleaned.get("confirm_count") != self.expected_count:
                self.add_error(
                    "confirm_count",
                    f"Unsubscribing cannot be undone: type {self.expected_count} to confirm.",
                )
        return cleaned

    def action_params(self) -> dict:
        action = self.cleaned_data["action"]
        keys = {
            BulkAction.START_CADENCE: ["cadence_name"],
            BulkAction.STOP_CADENCE: ["cadence_name"],
            BulkAction.ADD_TAGS: ["tags"],
            BulkAction.REMOVE_TAGS: ["tags"],
            BulkAction.ADD_TO_LIST: ["list_name"],
            BulkAction.SET_OUTCOME: ["outcome"],
        }.get(action, [])
        return {key: self.cleaned_data[key] for key in keys}
