"""The audit log as people use it: filters, a text search, a CSV of the same rows,
and each entry's result (the API's JSON answer, or an error) summed up in a line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet

from klentyadmin.core.models import AuditEntry, Service
from prospects.forms import is_row_id

OUTCOMES = [("", "Any outcome"), ("ok", "OK"), ("failed", "Failed")]
PAGE_SIZE = 50
SEARCH_MAX = 200
# Keys of an API answer that say how the write went, and what it touched.
STATUS_KEYS = ("status", "success", "result", "code", "statusCode")
MESSAGE_KEYS = ("message", "msg", "error", "errors", "detail", "description")
SUMMARY_FIELDS = 3
VALUE_MAX = 60


class UserChoiceField(forms.ModelChoiceField):
    """A user by id; an id no database column can hold is refused before the query."""

    def to_python(self, value: Any) -> Any:
        if value not in self.empty_values and not is_row_id(value):
            raise forms.ValidationError("Choose a user from the list.", code="invalid_choice")
        return super().to_python(value)


class AuditFilterForm(forms.Form):
    """Every filter of the page and its export; a value that does not parse is refused
    with a message and not applied (never silently widened to everything)."""

    service = forms.ChoiceField(required=False, choices=[("", "Any service"), *Service.choices])
    action = forms.ChoiceField(required=False)
    user = UserChoiceField(
        required=False, queryset=get_user_model().objects.order_by("username"), empty_label="Anyone"
    )
    outcome = forms.ChoiceField(required=False, choices=OUTCOMES)
    date_from = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )
    q = forms.CharField(
        required=False,
        max_length=SEARCH_MAX,
        strip=True,
        label="Search",
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "Target or action"}),
    )

    def __init__(self, data: Any = None) -> None:
        data = data.copy() if data is not None else None
        # The old "Show failures only" link.
        if data is not None and data.get("failed") == "1" and not data.get("outcome"):
            data["outcome"] = "failed"
        super().__init__(data)
        actions = AuditEntry.objects.order_by("action").values_list("action", flat=True)
        self.fields["action"].choices = [("", "Any action")] + [
            (action, action) for action in actions.distinct()
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", "The end date is before the start date.")
        return data

    @property
    def filtering(self) -> bool:
        return self.is_bound and any(self.valid_filters().values())

    def valid_filters(self) -> dict[str, Any]:
        """The filters that parsed (an invalid one is left out and shown as an error)."""
        if not self.is_bound:
            return {}
        self.is_valid()
        return {name: value for name, value in self.cleaned_data.items() if value}


def filtered_entries(form: AuditFilterForm) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.order_by("-created_at", "-id")
    data = form.valid_filters()
    if data.get("service"):
        entries = entries.filter(service=data["service"])
    if data.get("action"):
        entries = entries.filter(action=data["action"])
    if data.get("user"):
        entries = entries.filter(actor=data["user"])
    if data.get("outcome"):
        entries = entries.filter(ok=data["outcome"] == "ok")
    if data.get("date_from"):
        entries = entries.filter(created_at__date__gte=data["date_from"])
    if data.get("date_to"):
        entries = entries.filter(created_at__date__lte=data["date_to"])
    if data.get("q"):
        entries = entries.filter(Q(target__icontains=data["q"]) | Q(action__icontains=data["q"]))
    return entries


def _short(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= VALUE_MAX else text[: VALUE_MAX - 1] + "…"


def parsed_result(result: str) -> Any:
    """The result as JSON when it is JSON (a long answer is stored cut, so it may not be)."""
    try:
        return json.loads(result)
    except (TypeError, ValueError):
        return None


def result_summary(entry: AuditEntry) -> str:
    """One line for the Result column: the answer's status and message, then its
    first few plain fields; an error or text answer, shortened."""
    body = parsed_result(entry.result)
    if isinstance(body, list):
        return f"{len(body)} item{'' if len(body) == 1 else 's'} returned"
    if not isinstance(body, dict):
        text = " ".join(entry.result.split())
        return _short(text) if text else ("No answer body" if entry.ok else "Failed")
    parts = [f"{key}: {_short(body[key])}" for key in STATUS_KEYS if key in body][:1]
    parts += [_short(body[key]) for key in MESSAGE_KEYS if body.get(key)][:1]
    shown = {*STATUS_KEYS, *MESSAGE_KEYS}
    fields = [
        f"{key}: {_short(value)}"
        for key, value in body.items()
        if key not in shown and isinstance(value, str | int | float | bool) and value != ""
    ]
    parts += fields[:SUMMARY_FIELDS]
    if not parts:
        return "Empty answer" if not body else f"{len(body)} fields returned"
    return " · ".join(parts)


def pretty_result(entry: AuditEntry) -> str:
    body = parsed_result(entry.result)
    return entry.result if body is None else json.dumps(body, indent=2, default=str)


def changes(entry: AuditEntry) -> list[dict[str, str]]:
    """An edit's fields before and after (prospects/edits.py records them)."""
    found = (entry.details or {}).get("changes") if isinstance(entry.details, dict) else None
    return [c for c in found or [] if isinstance(c, dict)]


def changes_text(entry: AuditEntry) -> str:
    return "; ".join(
        f"{c.get('label') or c.get('field')}: {c.get('before') or '(empty)'} → "
        f"{c.get('after') or '(empty)'}"
        for c in changes(entry)
    )


CSV_HEADER = [
    "When", "Who", "Service", "Action", "Target", "Outcome", "Summary", "Changes", "Result"
]  # fmt: skip


def csv_rows(entries: QuerySet[AuditEntry]) -> Iterator[list[Any]]:
    yield CSV_HEADER
    for entry in entries.iterator(chunk_size=2000):
        yield [
            entry.created_at.isoformat(),
            entry.actor_name or "system",
            entry.get_service_display(),
            entry.action,
            entry.target,
            "ok" if entry.ok else "failed",
            result_summary(entry),
            changes_text(entry),
            entry.result,
        ]
