"""The rule form. Every value is checked here: impossible rules get field errors."""

from __future__ import annotations

from django import forms
from django.core.validators import validate_email

from alerts.models import CADENCE_SCOPES, HOURS_METRICS, RATE_METRICS, AlertRule, Scope
from alerts.reach import webhook_problem
from cadences.models import Cadence

MAX_WINDOW = 365


class RuleForm(forms.ModelForm):
    slack_url = forms.CharField(
        required=False,
        max_length=1000,
        label="Slack-compatible webhook URL",
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
        help_text="Stored encrypted and never shown again; leave empty to keep the current one.",
    )
    clear_slack_url = forms.BooleanField(required=False, label="Remove the webhook URL")

    class Meta:
        model = AlertRule
        fields = [
            "name",
            "metric",
            "scope",
            "scope_value",
            "condition",
            "threshold",
            "window_days",
            "baseline_days",
            "min_volume",
            "email_to",
            "action",
            "act_automatically",
            "remind_after_hours",
            "enabled",
        ]
        labels = {
            "scope_value": "Rep's Klenty email or cadence name",
            "threshold": "Threshold",
            "window_days": "Window (days)",
            "baseline_days": "Baseline (days, for a drop against the baseline)",
            "min_volume": "Fewest prospects added for a rate to count",
            "email_to": "Email to",
            "act_automatically": "Act automatically, without a Manager's confirmation",
            "remind_after_hours": "Remind after (hours, 0 for never)",
        }
        help_texts = {
            "threshold": "Percent for a rate, points for a drop in a rate, a count for "
            "positive replies and calls, hours for webhook silence and syncs.",
        }
        widgets = {"email_to": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["threshold"].widget.attrs.update({"min": 0, "step": "any"})
        self.fields["window_days"].widget.attrs.update({"min": 1, "max": MAX_WINDOW})
        if self.instance.slack_url_hint:
            self.fields["slack_url"].help_text = (
                f"Now: {self.instance.slack_url_hint}. " + self.fields["slack_url"].help_text
            )

    def clean_threshold(self) -> float:
        value = self.cleaned_data["threshold"]
        if value is not None and value < 0:
            raise forms.ValidationError("A threshold cannot be negative.")
        return value

    def clean_window_days(self) -> int:
        value = self.cleaned_data["window_days"]
        if value is not None and not 1 <= value <= MAX_WINDOW:
            raise forms.ValidationError(f"The window is 1 to {MAX_WINDOW} days.")
        return value

    def clean_baseline_days(self) -> int:
        value = self.cleaned_data["baseline_days"]
        if value is not None and not 1 <= value <= MAX_WINDOW:
            raise forms.ValidationError(f"The baseline is 1 to {MAX_WINDOW} days.")
        return value

    def clean_email_to(self) -> str:
        emails = self.cleaned_data["email_to"].split()
        for email in emails:
            try:
                validate_email(email)
            except forms.ValidationError:
                raise forms.ValidationError(f"“{email[:80]}” is not an email address.") from None
        return "\n".join(emails)

    def clean_slack_url(self) -> str:
        url = self.cleaned_data["slack_url"].strip()
        if url and (problem := webhook_problem(url)):
            raise forms.ValidationError(problem)
        return url

    def clean(self):
        cleaned = super().clean()
        metric, scope = cleaned.get("metric"), cleaned.get("scope")
        value = (cleaned.get("scope_value") or "").strip()
        cleaned["scope_value"] = value
        if metric in HOURS_METRICS and scope and scope != Scope.TEAM:
            self.add_error("scope", "This check is for the whole team.")
        if scope == Scope.REP:
            try:
                validate_email(value)
            except forms.ValidationError:
                self.add_error("scope_value", "Enter the rep's Klenty email.")
            cleaned["scope_value"] = value.lower()
        elif scope == Scope.CADENCE:
            if not value:
                self.add_error("scope_value", "Enter the cadence's name.")
            elif not Cadence.objects.filter(name=value).exists():
                self.add_error("scope_value", f"No cadence is called “{value[:80]}”.")
        elif value:
            cleaned["scope_value"] = ""
        threshold = cleaned.get("threshold")
        condition = cleaned.get("condition") or ""
        if metric in RATE_METRICS and threshold is not None and threshold > 100:
            self.add_error("threshold", "A rate is at most 100%.")
        if metric in HOURS_METRICS and threshold is not None and threshold < 1:
            self.add_error("threshold", "Give at least 1 hour.")
        if metric in HOURS_METRICS:
            cleaned["condition"] = "above"
        elif condition.startswith("drop") and threshold == 0:
            self.add_error("threshold", "A drop of 0 fires on any change; give a size.")
        if cleaned.get("action") and scope not in CADENCE_SCOPES:
            self.add_error(
                "action", "Stopping a cadence needs a rule about one cadence or each cadence."
            )
        if cleaned.get("act_automatically") and not cleaned.get("action"):
            self.add_error("act_automatically", "Choose the action it may take first.")
        return cleaned

    def save(self, commit: bool = True) -> AlertRule:
        rule = super().save(commit=False)
        if self.cleaned_data.get("clear_slack_url"):
            rule.set_slack_url("")
        elif self.cleaned_data.get("slack_url"):
            rule.set_slack_url(self.cleaned_data["slack_url"])
        if commit:
            rule.save()
        return rule


class SnoozeForm(forms.Form):
    until = forms.DateTimeField(
        label="Snooze until (UTC)",
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )

    def clean_until(self):
        from django.utils import timezone

        until = self.cleaned_data["until"]
        if until <= timezone.now():
            raise forms.ValidationError("Choose a time in the future.")
        return until
