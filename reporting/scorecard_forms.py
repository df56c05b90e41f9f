"""The scorecards' period (GET) and the goal form (a Manager's POST)."""

from __future__ import annotations

from datetime import date

from django import forms
from django.utils import timezone

from reporting.forms import within_reports_calendar
from reporting.models import Goal
from reporting.periods import CUSTOM, MONTH, QUARTER, WEEK, Period

PERIODS = [(WEEK, "Week"), (MONTH, "Month"), (QUARTER, "Quarter"), (CUSTOM, "Custom")]
# A custom range longer than a year is refused: the year-ago comparison would overlap it.
MAX_CUSTOM_DAYS = 366
# More than this a day, over the goal's period, is a typo rather than a goal.
MAX_PER_DAY = {"meetings": 20, "positive": 50, "calls": 300}


class PeriodForm(forms.Form):
    period = forms.ChoiceField(choices=PERIODS, required=False)
    on = forms.DateField(
        required=False, label="Period containing", widget=forms.DateInput(attrs={"type": "date"})
    )
    start = forms.DateField(
        required=False, label="From", widget=forms.DateInput(attrs={"type": "date"})
    )
    end = forms.DateField(
        required=False, label="To", widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("on", "start", "end"):
            self.fields[name].validators.append(within_reports_calendar)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("period") == CUSTOM and not self.errors:
            start, end = data.get("start"), data.get("end")
            if not start:
                self.add_error("start", "Choose the first day of the range.")
            if not end:
                self.add_error("end", "Choose the last day of the range.")
            if start and end and start > end:
                self.add_error("end", "The end date is before the start date.")
            elif start and end and (end - start).days + 1 > MAX_CUSTOM_DAYS:
                self.add_error("end", f"Choose at most {MAX_CUSTOM_DAYS} days.")
        return data

    def chosen(self, today: date) -> Period:
        """The period asked for, or this week when what was asked for is not valid."""
        if not self.is_valid():
            return Period.containing(WEEK, today)
        data = self.cleaned_data
        kind = data.get("period") or WEEK
        if kind == CUSTOM:
            return Period(CUSTOM, data["start"], data["end"])
        return Period.containing(kind, data.get("on") or today)


class GoalForm(forms.Form):
    member = forms.ChoiceField(label="Team member")
    period = forms.ChoiceField(choices=Goal.Period.choices)
    on = forms.DateField(
        label="Period containing",
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Any day of the week, month or quarter.",
    )
    meetings = forms.IntegerField(required=False, min_value=0)
    positive = forms.IntegerField(required=False, min_value=0, label="Positive replies")
    calls = forms.IntegerField(required=False, min_value=0)

    def __init__(self, *args, members: list[tuple[str, str]], **kwargs):
        # Its own ids: the period form above it on the page has fields of the same names.
        kwargs.setdefault("auto_id", "goal_%s")
        super().__init__(*args, **kwargs)
        self.fields["member"].choices = members
        self.fields["on"].validators.append(within_reports_calendar)

    def clean(self) -> dict:
        data = super().clean()
        if self.errors:
            return data
        period = Period.containing(data["period"], data["on"])
        figures = [name for name in Goal.FIGURES if data.get(name) is not None]
        if not figures:
            raise forms.ValidationError(
                "Set at least one goal: meetings, positive replies or calls."
            )
        for name in figures:
            most = MAX_PER_DAY[name] * period.days
            if data[name] > most:
                label = self.fields[name].label or name
                self.add_error(
                    name,
                    f"{data[name]:,} {label.lower()} in {period.days} days is more than "
                    f"{MAX_PER_DAY[name]} a day; at most {most:,}.",
                )
        data["starts_on"] = period.start
        return data

    def save(self, user) -> Goal:
        data = self.cleaned_data
        goal, _ = Goal.objects.update_or_create(
            member=data["member"],
            period=data["period"],
            starts_on=data["starts_on"],
            defaults={
                **{name: data.get(name) for name in Goal.FIGURES},
                "set_by": user,
                "updated_at": timezone.now(),
            },
        )
        return goal
