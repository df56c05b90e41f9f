"""The merge forms: which prospect to keep and, per field, whose value."""

from __future__ import annotations

from django import forms

from dedupe.merging import differences, keepable
from dedupe.models import DuplicatePair
from klentyadmin.core.once import OneTimeKeyForm

SIDES = [("left", "Left"), ("right", "Right")]
MAX_PAIRS_AT_ONCE = 200
MAX_ID = 2**63 - 1  # the largest id a database stores; a larger one is no pair


class MergeForm(OneTimeKeyForm):
    """`keep` and one `field_<name>` radio per field either side has."""

    keep = forms.ChoiceField(choices=SIDES, widget=forms.RadioSelect)

    def __init__(self, *args, pair: DuplicatePair, **kwargs):
        super().__init__(*args, **kwargs)
        self.pair = pair
        self.rows = differences(pair)
        sides = keepable(pair)
        self.fields["keep"].choices = [s for s in SIDES if s[0] in sides]
        self.fields["keep"].initial = sides[0] if sides else None
        for row in self.rows:
            # A side with no value cannot be chosen: Klenty's Update cannot empty a field.
            offered = [s for s in SIDES if row[s[0]]]
            preferred = [s for s, _ in offered if s in sides[:1]] or [offered[0][0]]
            self.fields[f"field_{row['name']}"] = forms.ChoiceField(
                choices=offered, widget=forms.RadioSelect, initial=preferred[0], required=False
            )

    def clean(self):
        cleaned = super().clean()
        if not keepable(self.pair):
            raise forms.ValidationError(
                "Neither side is a Klenty prospect, so nothing can be kept."
            )
        return cleaned

    @property
    def choices(self) -> dict[str, str]:
        """Per field, the side chosen; a field left unchosen keeps the kept value."""
        keep = self.cleaned_data["keep"]
        return {
            row["name"]: self.cleaned_data.get(f"field_{row['name']}") or keep for row in self.rows
        }

    def field_rows(self) -> list[dict]:
        return [{**row, "field": self[f"field_{row['name']}"]} for row in self.rows]


class MergeManyForm(OneTimeKeyForm):
    pair = forms.TypedMultipleChoiceField(coerce=int, choices=())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Any number is taken here; the view keeps only the pairs the user may see.
        self.fields["pair"].choices = [
            (v, v) for v in self.data.getlist("pair") if v.isdigit() and int(v) <= MAX_ID
        ]

    def clean_pair(self) -> list[int]:
        ids = self.cleaned_data["pair"]
        if len(ids) > MAX_PAIRS_AT_ONCE:
            raise forms.ValidationError(f"Tick at most {MAX_PAIRS_AT_ONCE} pairs at once.")
        return ids
