"""Verification runs: of pasted emails (the verifier page) or of the emails of
prospects chosen on a search ("Verify emails…"), and a run's progress page."""

from __future__ import annotations

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from enrichment import verification
from enrichment.forms import VerifierForm, VerifySelectionForm
from enrichment.models import VerificationItem, VerificationRun
from klentyadmin.accounts.roles import any_role
from klentyadmin.core import background, once
from klentyadmin.core.background.views import poll_response
from klentyadmin.integrations.snov.types import CREDIT_COST
from prospects.selection import InvalidSelection, resolve_selection

CONFIRM_PAGE = "enrichment/verify_selection.html"
# One run verifies at most this many prospects' emails.
MOST_PROSPECTS = 5000


@require_http_methods(["GET", "POST"])
@any_role
@once.replays_earlier_result
def verifier(request):
    """Paste up to 500 emails; they are verified 10 a call in the worker."""
    form = VerifierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        return once.send_once(
            request,
            form.cleaned_data[once.FIELD],
            lambda: verification.create_verification_run(
                user=request.user, emails=form.cleaned_data["emails"]
            ).get_absolute_url(),
        )
    return render(request, "enrichment/verifier.html", {"form": form, "costs": CREDIT_COST})


def _refused(request, form: VerifySelectionForm, error: str = ""):
    if error:
        form.add_error(None, error)
    return render(request, CONFIRM_PAGE, {"form": form, "count": 0})


@require_POST
@any_role
@once.replays_earlier_result
def verify_selection(request):
    """From a search's selection (the same `scope`, `prospect_ids` and `query` as bulk
    actions and the CRM push): confirm the count and cost, then queue the run."""
    confirmed = bool(request.POST.get("confirm"))
    form = VerifySelectionForm(request.POST, key_required=confirmed)
    if not form.is_valid():
        return _refused(request, form)
    try:
        selection = resolve_selection(request.POST, request.user)
    except InvalidSelection as exc:
        return _refused(request, form, str(exc))
    ids = list(selection.prospects.values_list("pk", flat=True)[:MOST_PROSPECTS])
    if not ids:
        return _refused(request, form, "None of the chosen prospects are yours to verify.")
    if not confirmed:
        context = {
            "form": form,
            "selection": selection,
            "count": len(ids),
            "cost": CREDIT_COST["add_emails_to_verification"],
        }
        return render(request, CONFIRM_PAGE, context)
    data = form.cleaned_data
    return once.send_once(
        request,
        data[once.FIELD],
        lambda: verification.create_verification_run(
            user=request.user, prospect_ids=ids, tag=data["tag"], mark_dnc=data["mark_dnc"]
        ).get_absolute_url(),
    )


@require_GET
@any_role
def verification_run(request, pk: int):
    runs = VerificationRun.objects.select_related("tag_job", "dnc_job")
    if not request.user.is_manager_or_admin:
        runs = runs.filter(created_by=request.user)
    run = get_object_or_404(runs, pk=pk)
    context = {
        "run": run,
        "progress": background.get("snov_verification").progress(run),
        "items": run.items.exclude(state__in=[VerificationItem.State.PENDING])[:1000],
    }
    if request.htmx:
        return poll_response(
            request, "enrichment/verification_run.html#progress", context, finished=run.finished
        )
    return render(request, "enrichment/verification_run.html", context)
