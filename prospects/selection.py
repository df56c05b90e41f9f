"""A posted selection of prospects, resolved in one place.

Bulk actions, the CRM push, Snov.io's "verify these prospects" and the cadence
page all act on "these ticked prospects" or "all N matching this search". Each
posts `scope`, `prospect_ids` and `query` (the search's GET parameters), checked
by `SelectionForm` and turned into prospects by `resolve_selection`, always
scoped to what the user may touch (`visible_to`).

A search whose filter does not parse (a date that is not a date, a `q` over 200
characters) is refused, here and by the CSV export: the search page merely
ignores such a filter and says so, but acting on "all matching" without it
would reach more prospects than the user was shown.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.http import QueryDict

from prospects.forms import is_row_id
from prospects.models import Prospect
from prospects.search import ProspectSearch

SELECTED, ALL = "selected", "all"
# Parameters that order or page the matches, not choose them: a bad one changes
# nothing about which prospects a selection or an export holds.
ORDER_ONLY = {"sort", "page"}


class InvalidSelection(ValueError):
    """A selection that cannot be acted on; the message says why, for the user."""


class ProspectIdsField(forms.TypedMultipleChoiceField):
    """Ticked prospect ids. Any row id is acceptable here; scoping to what the user
    may touch happens when the selection is resolved against visible_to(user)."""

    def __init__(self, **kwargs):
        super().__init__(coerce=int, **kwargs)

    def valid_value(self, value) -> bool:
        return is_row_id(value)


class SelectionForm(forms.Form):
    """Which prospects: the ticked `prospect_ids`, or all matching `query`.

    A missing scope means the ticked ones (the cadence page posts only ids)."""

    scope = forms.ChoiceField(
        choices=[(SELECTED, SELECTED), (ALL, ALL)], initial=SELECTED, required=False
    )
    prospect_ids = ProspectIdsField(required=False)
    query = forms.CharField(required=False, widget=forms.HiddenInput)
    nothing_ticked = "Tick at least one prospect, or choose all matching."

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("scope"):
            cleaned["scope"] = SELECTED
        if cleaned["scope"] == SELECTED and not cleaned.get("prospect_ids"):
            raise forms.ValidationError(self.nothing_ticked)
        return cleaned


def checked_search(params: QueryDict | Mapping[str, Any] | str) -> ProspectSearch:
    """The search `params` spell, or InvalidSelection naming the filters that do not parse."""
    if isinstance(params, str):
        params = QueryDict(params)
    search = ProspectSearch.from_params(params)
    wrong = set(search.errors) - ORDER_ONLY
    if wrong:
        names = ", ".join(sorted(wrong))
        raise InvalidSelection(
            f"The search has filters that do not apply ({names}); fix them first."
        )
    return search


@dataclass(frozen=True)
class Selection:
    scope: str
    query: str
    prospect_ids: list[int]
    prospects: QuerySet[Prospect]

    @property
    def is_all(self) -> bool:
        return self.scope == ALL


def first_error(form: forms.Form) -> str:
    errors = form.non_field_errors() or [e for errs in form.errors.values() for e in errs]
    return errors[0] if errors else "That selection is not valid."


def resolve_selection(data: QueryDict | Mapping[str, Any], user) -> Selection:
    """The prospects a posted selection means, scoped to what `user` may touch.

    Raises InvalidSelection, with a message for the user, when the selection does
    not validate or its search has a filter that does not parse. The selection may
    still match no prospect; the caller says so in its own words."""
    form = SelectionForm(data)
    if not form.is_valid():
        raise InvalidSelection(first_error(form))
    scope, query = form.cleaned_data["scope"], form.cleaned_data["query"]
    ids = form.cleaned_data["prospect_ids"] if scope == SELECTED else []
    if scope == ALL:
        prospects = checked_search(query).queryset(user)
    else:
        prospects = Prospect.objects.visible_to(user).filter(pk__in=ids)
    return Selection(scope=scope, query=query, prospect_ids=ids, prospects=prospects)
