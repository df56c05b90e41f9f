"""The scorecards page (everyone; a Rep sees only their own card) and a Manager's goals."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from klentyadmin.accounts.roles import any_role, manager_required
from reporting import pulls, scorecards
from reporting.models import Goal
from reporting.periods import CUSTOM
from reporting.scorecard_forms import GoalForm, PeriodForm


def member_choices(viewer) -> list[tuple[str, str]]:
    return [(m, m) for m in scorecards.members_for(viewer)]


def page(request, goal_form: GoalForm | None = None):
    today = pulls.today()
    period_form = PeriodForm(request.GET or None)
    period = period_form.chosen(today)
    board = scorecards.board(request.user, period, today)
    if goal_form is None and request.user.is_manager_or_admin:
        initial = {"period": period.kind if board.goals_apply else "month", "on": period.start}
        # "Change" on a pacing row: the form holds that member's goals for the period.
        editing = next((c for c in board.cards if c.member == request.GET.get("edit")), None)
        if editing is not None:
            initial["member"] = editing.member
            if editing.goal is not None:
                initial.update({name: getattr(editing.goal, name) for name in Goal.FIGURES})
        goal_form = GoalForm(members=member_choices(request.user), initial=initial)
    context = {
        "board": board,
        "period_form": period_form,
        "goal_form": goal_form,
        "custom": period.kind == CUSTOM,
    }
    return render(request, "reporting/scorecards.html", context)


@require_GET
@any_role
def scorecards_page(request):
    return page(request)


@require_POST
@manager_required
def set_goal(request):
    form = GoalForm(request.POST, members=member_choices(request.user))
    if not form.is_valid():
        # The page again, the goal's period shown, with the form's field errors.
        return page(request, goal_form=form)
    goal = form.save(request.user)
    messages.success(
        request,
        f"Goals saved for {goal.member}, the {goal.get_period_display().lower()} of {goal.starts_on:%-d %b %Y}.",
    )
    query = urlencode({"period": goal.period, "on": goal.starts_on.isoformat()})
    return redirect(f"{reverse('reporting:scorecards')}?{query}")
