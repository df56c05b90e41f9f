"""The domain search flow: domain search → find emails → verify → Send to Klenty.
Failing calls show the message and a retry button; they never become a 500."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import render
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_GET, require_POST

from dedupe.warnings import Incoming, near_duplicates
from enrichment import services, snov_lists
from enrichment.forms import EMAIL_RE, DomainForm, SendForm
from enrichment.models import DomainSearchProgress
from enrichment.search_progress import SEARCH_STEPS, search_progress_recorder
from enrichment.services import Row, balance_or_none
from klentyadmin.accounts.roles import any_role
from klentyadmin.core import once
from klentyadmin.core.background.views import poll_response
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.klenty.client import KlentyClient
from klentyadmin.integrations.snov.client import SnovClient
from klentyadmin.integrations.snov.types import CREDIT_COST

PAGE = "enrichment/domain.html"


def _render(request, partial: str, context: dict) -> HttpResponse:
    template = f"{PAGE}#{partial}" if request.htmx else PAGE
    return render(request, template, {"costs": CREDIT_COST, **context})


def _rows(request, name: str = "row") -> list[Row]:
    return [Row.parse(v) for v in request.POST.getlist(name) if v.strip()][:500]


def _not_emails(rows: list[Row]) -> str:
    """An error naming the ticked rows that hold no email address, or ""."""
    bad = [r.email or "(empty)" for r in rows if not EMAIL_RE.match(r.email)]
    return f"Not an email address: {', '.join(bad[:5])}" if bad else ""


@require_GET
@any_role
def domain_search(request):
    form = DomainForm(request.GET or None)
    context: dict = {"form": form, "progress_key": once.new_key()}
    if form.is_bound and "page" in form.errors:
        # The page shows the domain's errors beside its field; the page number has none.
        context["error"] = f"Page: {form.errors['page'][0]}"
    if form.is_valid():
        client = SnovClient.from_settings(actor=request.user)
        domain = form.cleaned_data["domain"]
        progress = search_progress_recorder(
            request.user, request.GET.get("progress_key", ""), domain
        )
        try:
            context["results"] = services.search_domain(
                client,
                domain,
                form.cleaned_data["page"] or 1,
                fresh=form.cleaned_data["fresh"],
                progress=progress,
            )
        except ApiError as exc:
            context["error"] = str(exc)
        finally:
            if progress is not None:
                progress.finish()
        if not getattr(context.get("results"), "stored_at", None):
            # Stored results spent nothing: the balance would be the one call made.
            context["balance"] = balance_or_none(client)
        context["domain"] = domain
    return _render(request, "search", context)


@require_GET
@any_role
def search_progress(request):
    """The running search's step, requests and credits, for the page's poll; 286 (stop
    polling) once it is finished. Only the user's own search: any other key (a
    colleague's, a stale or made-up one) answers an empty partial."""
    progress = DomainSearchProgress.objects.filter(
        key=request.GET.get("key", "")[:64], created_by=request.user
    ).first()
    context = {"progress": progress, "steps": SEARCH_STEPS}
    return poll_response(
        request, f"{PAGE}#progress", context, finished=bool(progress and progress.finished)
    )


def _carried(request) -> dict:
    """What each step hands on to the next: the domain searched and its company."""
    return {
        "domain": request.POST.get("domain", ""),
        "company": request.POST.get("company", ""),
    }


def _ask_snov(request, context: dict, key: str, rows: list[Row], work) -> None:
    """`work(client, rows)` under `context[key]`; on failure the message and the rows
    to retry instead. The balance either way, since a failed call may have cost."""
    client = SnovClient.from_settings(actor=request.user)
    try:
        context[key] = work(client, rows)
    except ApiError as exc:
        context["error"] = str(exc)
        context["retry_rows"] = rows
    context["balance"] = balance_or_none(client)


@require_POST
@any_role
def find_emails(request):
    rows = _rows(request, "prospect")
    context = _carried(request)
    if not rows:
        error = "Tick at least one prospect."
    elif not all(r.prospect_hash for r in rows):
        error = "A ticked prospect has no Snov.io id; search the domain again."
    else:
        _ask_snov(request, context, "found", rows, services.find_emails)
        context["asked"] = len(rows)
        return _render(request, "emails", context)
    return _render(request, "emails", {**context, "error": error})


@require_POST
@any_role
def verify(request):
    rows = _rows(request)
    context = _carried(request)
    error = _not_emails(rows) if rows else "Tick at least one email."
    if error:
        return _render(request, "verified", {**context, "error": error})
    _ask_snov(request, context, "verified", rows, services.verify)
    context["near"] = _near_duplicates(request.user, context.get("verified") or [], context)
    context["send_form"] = SendForm(
        initial={"domain": context["domain"], "company": context["company"]}
    )
    context.update(_klenty_choices(request.user))
    if request.user.is_manager_or_admin:
        context.update(_snov_lists(request.user))
    return _render(request, "verified", context)


def _near_duplicates(user, rows: list[Row], carried: dict) -> list[tuple[str, str]]:
    """(email, warning) for the verified rows that look like someone already there."""
    people = [
        Incoming(r.email, r.first_name, r.last_name, carried["company"], label=r.email)
        for r in rows
    ]
    found = near_duplicates(user, people)
    return [(r.email, w) for r, w in zip(rows, found, strict=True) if w]


def _snov_lists(user) -> dict:
    """The Snov.io lists the verified rows can be added to (Managers and Admins)."""
    try:
        return {"snov_lists": snov_lists.live_lists(SnovClient.from_settings(actor=user))}
    except ApiError as exc:
        return {"snov_lists_error": str(exc)}


def _klenty_choices(user) -> dict:
    try:
        klenty = KlentyClient.from_settings(actor=user)
        return {
            "klenty_lists": [lst.name for lst in klenty.get_lists()],
            "klenty_cadences": [c.name for c in klenty.get_company_cadences()],
        }
    except ApiError as exc:
        return {"klenty_error": str(exc)}


@require_POST
@any_role
@once.replays_earlier_result
def send(request):
    form = SendForm(request.POST, user=request.user)
    if not form.is_valid():
        return render(request, f"{PAGE}#send_error", {"error": form.refusal()})
    rows = form.rows
    choices = {k: v for k, v in form.cleaned_data.items() if k != once.FIELD}

    def start() -> str:
        push = services.send_to_klenty(user=request.user, rows=rows, **choices)
        total, skipped = push.import_job.total, push.skipped
        note = f"Sending {total} prospect{pluralize(total)} to Klenty"
        if skipped:
            note += f"; {skipped} already in Klenty {pluralize(skipped, 'was,were')} skipped"
        messages.success(request, note + ".")
        return push.import_job.get_absolute_url()

    return once.send_once(request, form.cleaned_data[once.FIELD], start)


@require_GET
@any_role
def email_count(request):
    """How many emails Snov.io holds for the domain: free, asked as the domain is typed,
    so the user knows before the search spends a credit. The page's own partial."""
    form = DomainForm({"domain": request.GET.get("domain", "")})
    context: dict = {}
    if form.is_valid():
        domain = form.cleaned_data["domain"]
        context["count_domain"] = domain
        context["stored"] = services.stored_at(domain)
        try:
            context["count"] = SnovClient.from_settings(actor=request.user).email_count(domain)
        except ApiError as exc:
            context["count_error"] = str(exc)
    return render(request, f"{PAGE}#email_count", {"costs": CREDIT_COST, **context})
