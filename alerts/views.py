"""The alerts pages: rules, history, snoozing, and confirming a proposed action.
Managers and Admins only."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from alerts import actions
from alerts.evaluation import evaluate_all
from alerts.forms import RuleForm, SnoozeForm
from alerts.models import AlertFiring, AlertNotification, AlertRule
from klentyadmin.accounts.roles import manager_required
from klentyadmin.core import once
from klentyadmin.core.confirm import ask_first

HISTORY_LIMIT = 100


@require_GET
@manager_required
def rule_list(request: HttpRequest):
    rules = AlertRule.objects.all()
    firing = set(AlertFiring.objects.open().values_list("rule_id", flat=True))
    return render(request, "alerts/rules.html", {"rules": rules, "firing": firing})


def save_rule(request: HttpRequest, rule: AlertRule | None):
    form = RuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        saved = form.save(commit=False)
        saved.saved_by = request.user
        saved.save()
        messages.success(request, f"Saved the rule “{saved.name}”.")
        return redirect("alerts:rules")
    status = 400 if request.method == "POST" else 200
    return render(request, "alerts/rule_form.html", {"form": form, "rule": rule}, status=status)


@require_http_methods(["GET", "POST"])
@manager_required
def rule_create(request: HttpRequest):
    return save_rule(request, None)


@require_http_methods(["GET", "POST"])
@manager_required
def rule_edit(request: HttpRequest, pk: int):
    return save_rule(request, get_object_or_404(AlertRule, pk=pk))


@require_POST
@manager_required
def rule_delete(request: HttpRequest, pk: int):
    rule = get_object_or_404(AlertRule, pk=pk)
    if asking := ask_first(
        request,
        f"Delete the rule “{rule.name}”?",
        "It stops being evaluated, and its firings leave the history.",
        "alerts:rules",
    ):
        return asking
    rule.delete()
    messages.success(request, f"Deleted the rule “{rule.name}”.")
    return redirect("alerts:rules")


@require_POST
@manager_required
def evaluate_now(request: HttpRequest):
    result = evaluate_all()
    messages.success(request, f"{str(result).capitalize()}.")
    return redirect("alerts:history")


@require_GET
@manager_required
def history(request: HttpRequest):
    notes = AlertNotification.objects.order_by("created_at", "id")
    firings = (
        AlertFiring.objects.select_related("rule", "action_job")
        .prefetch_related(Prefetch("notifications", queryset=notes))
        .order_by("-started_at", "-id")[:HISTORY_LIMIT]
    )
    return render(request, "alerts/history.html", {"firings": firings, "snooze_form": SnoozeForm()})


@require_POST
@manager_required
def snooze(request: HttpRequest, pk: int):
    firing = get_object_or_404(AlertFiring.objects.open(), pk=pk)
    form = SnoozeForm(request.POST)
    if form.is_valid():
        until = form.cleaned_data["until"]
        AlertFiring.objects.filter(pk=firing.pk).update(snoozed_until=until)
        messages.success(request, f"No reminders for this alert until {until:%Y-%m-%d %H:%M} UTC.")
    else:
        messages.error(request, form.errors["until"][0])
    return redirect("alerts:history")


@require_http_methods(["GET", "POST"])
@manager_required
@once.replays_earlier_result
def act(request: HttpRequest, pk: int):
    """The page a notification links to: what the action would do, and one button."""
    firing = get_object_or_404(AlertFiring.objects.select_related("rule", "action_job"), pk=pk)
    if firing.action_job_id:
        messages.info(request, "This alert's action was already taken; here is its job.")
        return redirect("prospects:job", pk=firing.action_job_id)
    count = actions.active_prospects(firing, request.user).count() if firing.can_act else 0
    form = once.OneTimeKeyForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not firing.can_act:
            messages.error(request, "This alert proposes no action now.")
        elif form.is_valid():

            def start() -> str:
                job = actions.run_action(firing, request.user)
                return reverse("prospects:job", args=[job.pk])

            try:
                return once.send_once(request, form.cleaned_data[once.FIELD], start)
            except actions.CannotAct as exc:
                messages.error(request, str(exc))
        else:
            for error in form.non_field_errors():
                messages.error(request, error)
    context = {"firing": firing, "count": count, "form": form}
    return render(request, "alerts/act.html", context)
