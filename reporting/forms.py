"""The reports' filters as the URL spells them, and the subscription form."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass, field
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.http import QueryDict
from django.utils import timezone

from reporting.models import EngagementDay, Goal, ReportSubscription

PRESETS = [
    ("7", "Last 7 days"),
    ("30", "Last 30 days"),
    ("90", "Last 90 days"),
    ("365", "Last 12 months"),
    ("custom", "Custom"),
]
DEFAULT_PRESET = "30"
# A custom range longer than this is cut: two years of daily rows is what we keep.
MAX_DAYS = 731
# Custom dates outside 2000 to next year are refused: a year outside is a date typed
# half-way (the browser reads "08/01/2" as year 2) or a typo, never a report wanted.
EARLIEST_DATE = date(2000, 1, 1)
# The cadence table sorts by any of its columns: the cadence, each engagement metric
# and the reply rate.
SORTS = ("cadence", *EngagementDay.METRICS, "reply_rate")


def latest_date() -> date:
    return date(timezone.localdate().year + 1, 12, 31)


def within_reports_calendar(value: date) -> None:
    if not EARLIEST_DATE <= value <= latest_date():
        raise ValidationError(
            f"Choose a date between {EARLIEST_DATE:%Y} and {latest_date():%Y}.",
            code="out_of_range",
        )


class FilterForm(forms.Form):
    """GET parameters of the reports page; values that do not parse are dropped."""

    range = forms.ChoiceField(required=False, choices=PRESETS)
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
    cadence = forms.MultipleChoiceField(required=False)
    rep = forms.MultipleChoiceField(required=False)
    sort = forms.ChoiceField(required=False)
    funnel = forms.CharField(required=False, max_length=255)

    def __init__(self, *args, cadences=(), reps=(), **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("start", "end"):
            self.fields[name].validators.append(within_reports_calendar)
        self.fields["cadence"].choices = [(c, c) for c in cadences]
        self.fields["rep"].choices = [(r, r) for r in reps]
        self.fields["sort"].choices = [(s, s) for s in SORTS] + [("-" + s, s) for s in SORTS]

    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if data.get("range") == "custom" and start and end and start > end:
            self.add_error("end", "The end date is before the start date.")
        return data


@dataclass(frozen=True)
class ReportFilters:
    """One view of the reports: a date range (inclusive), cadences, reps, table sort."""

    preset: str
    start: date
    end: date
    cadences: tuple[str, ...] = ()
    reps: tuple[str, ...] = ()
    sort: str = "-replies"
    funnel: str = ""
    # None: the whole team's cadences. A Rep's reports count the cadences this Klenty
    # user owns ("" when the Rep has no Klenty link: none).
    cadence_owner: str | None = None
    # The day the range was read on: a range that reaches it ends on a partial day.
    today: date = field(default_factory=timezone.localdate, compare=False)
    errors: dict[str, list[str]] = field(default_factory=dict, compare=False)

    @classmethod
    def from_params(
        cls,
        params: QueryDict,
        *,
        cadences=(),
        reps=(),
        today: date | None = None,
        cadence_owner: str | None = None,
    ) -> ReportFilters:
        form = FilterForm(params, cadences=cadences, reps=reps)
        form.is_valid()
        data = form.cleaned_data
        today = today or timezone.localdate()
        preset = data.get("range") or DEFAULT_PRESET
        start, end = data.get("start"), data.get("end")
        if preset == "custom" and start and end and not ({"start", "end"} & form.errors.keys()):
            start = max(start, end - timedelta(days=MAX_DAYS - 1))
        else:
            preset = DEFAULT_PRESET if preset == "custom" else preset
            end = today
            start = today - timedelta(days=int(preset) - 1)
        return cls(
            preset=preset,
            start=start,
            end=end,
            cadences=tuple(data.get("cadence") or ()),
            reps=tuple(data.get("rep") or ()),
            sort=data.get("sort") or "-replies",
            funnel=data.get("funnel") or "",
            cadence_owner=cadence_owner,
            today=today,
            errors={k: list(v) for k, v in form.errors.items()},
        )

    @property
    def problems(self) -> list[str]:
        """Why the dates asked for were not used, in words for the page."""
        names = {"start": "From", "end": "To"}
        return [
            f"{label}: {message}"
            for name, label in names.items()
            for message in self.errors.get(name, ())
        ]

    def summary(self) -> str:
        """What these filters show, in words (the subscription form says what it will use)."""
        label = dict(PRESETS)[self.preset]
        if self.preset == "custom":
            label = f"{self.start:%-d %b %Y} – {self.end:%-d %b %Y}"
        parts = [label]
        parts.append(f"cadences: {', '.join(self.cadences)}" if self.cadences else "all cadences")
        parts.append(f"reps: {', '.join(self.reps)}" if self.reps else "all reps")
        return "; ".join(parts)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def previous(self) -> tuple[date, date]:
        """The same number of days just before this range."""
        return self.start - timedelta(days=self.days), self.start - timedelta(days=1)

    def params(self, **changes) -> QueryDict:
        values = {
            "range": self.preset,
            "start": self.start,
            "end": self.end,
            "cadence": self.cadences,
            "rep": self.reps,
            "sort": self.sort,
            "funnel": self.funnel,
            **changes,
        }
        query = QueryDict(mutable=True)
        if values["range"] != "custom":
            values["start"] = values["end"] = None
        if values["range"] == DEFAULT_PRESET:
            values["range"] = None
        if values["sort"] == "-replies":
            values["sort"] = None
        for name, value in values.items():
            if isinstance(value, tuple | list):
                query.setlist(name, list(value))
            elif value:
                query[name] = value.isoformat() if isinstance(value, date) else str(value)
        return query

    def query_string(self, **changes) -> str:
        return self.params(**changes).urlencode()


def time_zone_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in sorted(zoneinfo.available_timezones())]


class SubscriptionForm(forms.ModelForm):
    """A report email: what, how often, when, and who else gets it."""

    time_zone = forms.ChoiceField(choices=time_zone_choices)
    hour = forms.TypedChoiceField(
        coerce=int, choices=[(h, f"{h:02d}:00") for h in range(24)], initial=8
    )

    class Meta:
        model = ReportSubscription
        fields = [
            "report",
            "frequency",
            "weekday",
            "hour",
            "time_zone",
            "extra_recipients",
            "include_scorecard",
            "include_pacing",
            "pacing_period",
            "include_alerts",
        ]
        widgets = {"extra_recipients": forms.Textarea(attrs={"rows": 3})}
        labels = {"weekday": "Weekday (weekly reports)"}

    # The report page's own controls, not a query string to type: what they choose is
    # stored as the page's address would spell it (ReportFilters.query_string).
    range = forms.ChoiceField(
        label="Date range", choices=PRESETS, initial=DEFAULT_PRESET, required=False
    )
    start = forms.DateField(
        label="From (a custom range)", required=False, validators=[within_reports_calendar],
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    end = forms.DateField(
        label="To (a custom range)", required=False, validators=[within_reports_calendar],
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    cadence = forms.MultipleChoiceField(
        label="Cadences", required=False, help_text="None chosen: every cadence."
    )
    rep = forms.MultipleChoiceField(
        label="Reps", required=False, help_text="None chosen: the whole team."
    )
    FILTER_FIELDS = ("range", "start", "end", "cadence", "rep")

    def __init__(self, *args, team_emails=(), user=None, cadences=(), reps=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.team_emails = {e.lower() for e in team_emails}
        self.user = user
        self.fields["cadence"].choices = [(c, c) for c in cadences]
        self.fields["rep"].choices = [(r, r) for r in reps]
        if not reps:
            del self.fields["rep"]
        # A subscription being changed, or "Email me this report", fills the controls.
        stored = self.instance.filters if self.instance.pk else self.initial.get("filters", "")
        chosen = ReportFilters.from_params(QueryDict(stored or ""), cadences=cadences, reps=reps)
        self.initial.update(
            range=chosen.preset,
            start=chosen.start if chosen.preset == "custom" else None,
            end=chosen.end if chosen.preset == "custom" else None,
            cadence=list(chosen.cadences),
            rep=list(chosen.reps),
        )
        # Only read when pacing is asked for: a form without it keeps the month.
        self.fields["pacing_period"].required = False

    def clean_pacing_period(self) -> str:
        return self.cleaned_data["pacing_period"] or Goal.Period.MONTH

    def clean(self) -> dict:
        data = super().clean()
        if data.get("range") == "custom":
            start, end = data.get("start"), data.get("end")
            if not start and "start" not in self.errors:
                self.add_error("start", "A custom range needs its first day.")
            if not end and "end" not in self.errors:
                self.add_error("end", "A custom range needs its last day.")
            if start and end and start > end:
                self.add_error("end", "The end date is before the start date.")
        # A Rep's card and goals are found by their Klenty email: without one the
        # email would carry an empty section, so say so now.
        unlinked = self.user is not None and not (
            self.user.is_manager_or_admin or self.user.klenty_email
        )
        if unlinked:
            for name in ("include_scorecard", "include_pacing"):
                if data.get(name):
                    self.add_error(
                        name,
                        "Your account is not linked to a Klenty team member, "
                        "so there is no scorecard or goal of yours to send.",
                    )
        return data

    def filters_query(self) -> str:
        """The chosen filters as the report page's address spells them."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else self.initial
        params = QueryDict(mutable=True)
        for name in self.FILTER_FIELDS:
            value = data.get(name)
            if isinstance(value, list | tuple):
                params.setlist(name, [str(v) for v in value])
            elif value not in (None, ""):
                params[name] = value.isoformat() if isinstance(value, date) else str(value)
        cadences = [c for c, _ in self.fields["cadence"].choices]
        reps = [r for r, _ in self.fields["rep"].choices] if "rep" in self.fields else []
        return ReportFilters.from_params(params, cadences=cadences, reps=reps).query_string()

    def save(self, commit: bool = True) -> ReportSubscription:
        self.instance.filters = self.filters_query()
        return super().save(commit)

    def clean_extra_recipients(self) -> str:
        emails = []
        for raw in self.cleaned_data["extra_recipients"].replace(",", " ").split():
            email = raw.strip().lower()
            try:
                validate_email(email)
            except ValidationError:
                raise ValidationError(f"{raw} is not an email address.") from None
            if email not in self.team_emails:
                raise ValidationError(
                    f"{email} is not in the team: reports go only to team members."
                )
            emails.append(email)
        return "\n".join(dict.fromkeys(emails))
