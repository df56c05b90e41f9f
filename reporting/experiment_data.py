"""The Experiments page's choices and counts, from the stored reports.

Two kinds of experiment:

* cadences against each other: each arm sums its EngagementDay rows over the range
  (prospects added; replies or positive replies), in one GROUP BY;
* the A/B options of one step: each option's row (option > 0) of the cadence's
  newest step-wise snapshot taken by the range's end (mails; replies or positive
  replies). Klenty answers the step-wise report for a window of its own, so the
  page says which window the counts cover.

What a user may compare is cut by reporting/scope.py: a Rep, the cadences they own.
The statistics are reporting/experiments.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from django import forms
from django.db.models import Max, OuterRef, Subquery, Sum

from reporting import experiments
from reporting.forms import ReportFilters
from reporting.models import EngagementDay, StepRow, StepSnapshot
from reporting.scope import owned

KINDS = [("cadences", "Cadences"), ("options", "A/B options of a step")]
# metric -> (label, StepRow/EngagementDay field of the successes, their name in words)
METRICS = {
    "reply": ("Reply rate", "replies", "replies"),
    "positive": ("Positive rate", "positive", "positive replies"),
}


@dataclass(frozen=True)
class OptionTest:
    """One step of a cadence with A/B options, in the snapshot the range reads."""

    snapshot_id: int
    cadence: str
    step: int
    options: int
    range_start: object
    range_end: object

    @property
    def value(self) -> str:
        return f"{self.snapshot_id}:{self.step}"

    @property
    def label(self) -> str:
        return f"{self.cadence} · step {self.step} ({self.options} options)"


def option_tests(filters: ReportFilters) -> list[OptionTest]:
    """Every step with A/B options in each visible cadence's newest snapshot taken on
    or before the range's end: one query."""
    newest = (
        StepSnapshot.objects.filter(
            cadence_name=OuterRef("snapshot__cadence_name"), taken_on__lte=filters.end
        )
        .order_by("-taken_on")
        .values("pk")[:1]
    )
    visible = owned(StepSnapshot.objects.all(), filters.cadence_owner).values("pk")
    rows = (
        StepRow.objects.filter(option__gt=0, snapshot__in=visible, snapshot=Subquery(newest))
        .values(
            "snapshot_id",
            "snapshot__cadence_name",
            "step_number",
            "snapshot__range_start",
            "snapshot__range_end",
        )
        .annotate(options=Max("option"))
        .order_by("snapshot__cadence_name", "step_number")
    )
    return [
        OptionTest(
            snapshot_id=r["snapshot_id"],
            cadence=r["snapshot__cadence_name"],
            step=r["step_number"],
            options=r["options"],
            range_start=r["snapshot__range_start"],
            range_end=r["snapshot__range_end"],
        )
        for r in rows
    ]


def option_label(option: int) -> str:
    return f"Option {chr(64 + option)}" if 1 <= option <= 26 else f"Option {option}"


def option_arms(test: OptionTest, metric: str) -> tuple[list[experiments.Arm], dict[str, str]]:
    """Each option of the step as an arm, and each arm's subject line: one query."""
    field = METRICS[metric][1]
    rows = StepRow.objects.filter(
        snapshot_id=test.snapshot_id, step_number=test.step, option__gt=0
    ).values_list("option", "mails", field, "subject")
    arms, subjects = [], {}
    for option, mails, successes, subject in rows.order_by("option"):
        label = option_label(option)
        arms.append(experiments.Arm(label, mails, successes))
        subjects[label] = subject
    return arms, subjects


def cadence_arms(filters: ReportFilters, cadences: list[str], metric: str) -> list[experiments.Arm]:
    """Each cadence's prospects added and successes over the range: one GROUP BY.
    A cadence without rows in the range is an arm with nothing in it."""
    field = METRICS[metric][1]
    rows = (
        owned(
            EngagementDay.objects.filter(
                day__gte=filters.start, day__lte=filters.end, cadence_name__in=cadences
            ),
            filters.cadence_owner,
        )
        .values("cadence_name")
        .annotate(n=Sum("prospects_added"), successes=Sum(field))
        .order_by()
    )
    counts = {r["cadence_name"]: (r["n"] or 0, r["successes"] or 0) for r in rows}
    return [experiments.Arm(name, *counts.get(name, (0, 0))) for name in cadences]


class ExperimentForm(forms.Form):
    """What to compare; the date range comes from the reports' own controls
    (ReportFilters, the same parameters)."""

    # Left out of an address, the kind is cadences and the metric the reply rate.
    kind = forms.ChoiceField(
        required=False, choices=KINDS, initial="cadences", widget=forms.RadioSelect
    )
    metric = forms.ChoiceField(
        required=False,
        choices=[(k, v[0]) for k, v in METRICS.items()],
        initial="reply",
        label="Compare on",
    )
    arm = forms.MultipleChoiceField(
        required=False,
        label="Cadences to compare",
        help_text="Two or more (Ctrl-click or ⌘-click to pick several).",
    )
    test = forms.ChoiceField(
        required=False,
        label="Step with A/B options",
        error_messages={
            "invalid_choice": "That step is not in the step-wise reports this range reads: "
            "choose a step from the list."
        },
    )

    def __init__(self, *args, cadences=(), tests: list[OptionTest] = (), **kwargs):
        super().__init__(*args, **kwargs)
        self.tests = {t.value: t for t in tests}
        self.fields["arm"].choices = [(c, c) for c in cadences]
        self.fields["arm"].widget.attrs["size"] = min(max(len(cadences), 4), 10)
        self.fields["test"].choices = [("", "Choose a step")] + [(t.value, t.label) for t in tests]

    def clean_kind(self) -> str:
        return self.cleaned_data["kind"] or "cadences"

    def clean_metric(self) -> str:
        return self.cleaned_data["metric"] or "reply"

    def clean_arm(self) -> list[str]:
        # The widget sends each choice once; a hand-made address may repeat one.
        arms = self.data.getlist("arm") if hasattr(self.data, "getlist") else []
        chosen = self.cleaned_data["arm"]
        for name in dict.fromkeys(arms):
            if arms.count(name) > 1:
                raise forms.ValidationError(f"{name} is chosen twice: choose each cadence once.")
        return chosen

    def clean(self) -> dict:
        data = super().clean()
        if data.get("kind") == "cadences" and "arm" in data and len(data["arm"]) < 2:
            self.add_error("arm", "Choose at least two cadences to compare.")
        if data.get("kind") == "cadences" and len(data.get("arm") or ()) > experiments.MAX_ARMS:
            self.add_error("arm", f"Choose at most {experiments.MAX_ARMS} cadences.")
        if data.get("kind") == "options" and "test" in data and not data["test"]:
            self.add_error("test", "Choose a step with A/B options.")
        return data

    @property
    def chosen_test(self) -> OptionTest | None:
        return self.tests.get(self.cleaned_data.get("test") or "")


@dataclass
class Experiment:
    """What the page shows: the arms, the result, or why there is none."""

    kind: str
    metric: str
    arms: list[experiments.Arm]
    result: experiments.Result | None = None
    problems: list[str] | None = None
    test: OptionTest | None = None
    subjects: dict[str, str] | None = None

    @property
    def metric_label(self) -> str:
        return METRICS[self.metric][0]

    @property
    def outcome(self) -> str:
        return METRICS[self.metric][2]

    @property
    def unit(self) -> str:
        return "mails" if self.kind == "options" else "prospects"

    def arm_rows(self) -> list[dict]:
        """The arms table, in words: n, successes, rate and its interval."""
        result = self.result
        rows = []
        for arm in result.arms:
            low, high = arm.interval(result.alpha)
            rows.append(
                {
                    "label": arm.label,
                    "best": arm is result.best,
                    "subject": (self.subjects or {}).get(arm.label, ""),
                    "n": f"{arm.n:,}",
                    "successes": f"{arm.successes:,}",
                    "rate": percent(arm.rate),
                    "interval": f"{percent(low)} – {percent(high)}",
                }
            )
        return rows

    def pair_rows(self) -> list[dict]:
        """Each arm against the best, in words."""
        rows = []
        for pair in self.result.pairs:
            if pair.significant:
                verdict = f"{pair.best.label} is better"
            elif pair.more_per_arm:
                verdict = f"not known yet: about {pair.more_per_arm:,} more per arm"
            elif pair.more_per_arm is None:
                verdict = "the same rate so far"
            else:
                verdict = "no clear difference"
            rows.append(
                {
                    "label": f"{pair.best.label} vs {pair.other.label}",
                    "difference": points(pair.difference),
                    "interval": f"{points(pair.ci_low)} to {points(pair.ci_high)}",
                    "z": f"{pair.z:.2f}",
                    "p": p_value(pair.p_value),
                    "p_adjusted": p_value(pair.p_adjusted),
                    "verdict": verdict,
                }
            )
        return rows

    @property
    def overall(self) -> dict[str, str]:
        result = self.result
        if result.statistic is None:
            return {}
        return {"statistic": f"{result.statistic:.2f}", "p": p_value(result.p_value)}


def percent(value: float) -> str:
    return f"{100 * value:.1f}%"


def points(value: float) -> str:
    """A difference of rates in percentage points, signed."""
    return f"{100 * value:+.1f} pts".replace("-", "−")


def p_value(value: float) -> str:
    return "< 0.001" if value < 0.001 else f"{value:.3f}"


def run(form: ExperimentForm, filters: ReportFilters) -> Experiment | None:
    """The experiment a valid form asks for (None for an invalid one)."""
    if not form.is_valid():
        return None
    kind, metric = form.cleaned_data["kind"], form.cleaned_data["metric"]
    test, subjects = None, None
    if kind == "options":
        test = form.chosen_test
        arms, subjects = option_arms(test, metric)
    else:
        arms = cadence_arms(filters, form.cleaned_data["arm"], metric)
    experiment = Experiment(kind, metric, arms, test=test, subjects=subjects)
    try:
        experiment.result = experiments.compare(
            arms, outcome=experiment.outcome, unit=experiment.unit
        )
    except experiments.ExperimentError as error:
        experiment.problems = error.problems
    return experiment
