"""Enrichment pages: domain search → find emails → verify → Send to Klenty, the email
finder and verifier, and the Snov.io settings page. Failing calls show the message
and a retry button; they never become a 500."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from enrichment import services, verification
from enrichment.forms import (
    EMAIL_RE,
    DomainForm,
    FinderForm,
    SendForm,
    SnovConnectionForm,
    VerifierForm,
)
from enrichment.services import Row
from klentyadmin.accounts.roles import admin_required, any_role
from klentyadmin.core.connection_settings import (
    VendorConnection,
    connection_page,
    connection_test,
)
from klentyadmin.core.models import Service
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.klenty.client import KlentyClient
from klentyadmin.integrations.snov.client import SnovClient
from klentyadmin.integrations.snov.target import snov_target
from klentyadmin.integrations.snov.types import CREDIT_COST

PAGE = "enrichment/domain.html"


def _balance(client: SnovClient) -> float | None:
    try:
        return client.balance().balance
    except ApiError:
        return None


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
    context: dict = {"form": form}
    if form.is_bound and "page" in form.errors:
        # The page shows the domain's errors beside its field; the page number has none.
        context["error"] = f"Page: {form.errors['page'][0]}"
    if form.is_valid():
        client = SnovClient.from_settings(actor=request.user)
        domain = form.cleaned_data["domain"]
        try:
            context["results"] = services.search_domain(
                client, domain, form.cleaned_data["page"] or 1
            )
        except ApiError as exc:
            context["error"] = str(exc)
        context["balance"] = _balance(client)
        context["domain"] = domain
    return _render(request, "search", context)


@require_POST
@any_role
def find_emails(request):
    rows = _rows(request, "prospect")
    context: dict = {
        "domain": request.POST.get("domain", ""),
        "company": request.POST.get("company", ""),
    }
    if not rows:
        context["error"] = "Tick at least one prospect."
        return _render(request, "emails", context)
    if not all(r.prospect_hash for r in rows):
        context["error"] = "A ticked prospect has no Snov.io id; search the domain again."
        return _render(request, "emails", context)
    client = SnovClient.from_settings(actor=request.user)
    try:
        context["found"] = services.find_emails(client, rows)
    except ApiError as exc:
        context["error"] = str(exc)
        context["retry_rows"] = rows
    context["asked"] = len(rows)
    context["balance"] = _balance(client)
    return _render(request, "emails", context)


@require_POST
@any_role
def verify(request):
    rows = _rows(request)
    context: dict = {
        "domain": request.POST.get("domain", ""),
        "company": request.POST.get("company", ""),
    }
    if not rows:
        context["error"] = "Tick at least one email."
        return _render(request, "verified", context)
    if error := _not_emails(rows):
        context["error"] = error
        return _render(request, "verified", context)
    client = SnovClient.from_settings(actor=request.user)
    try:
        context["verified"] = services.verify(client, rows)
    except ApiError as exc:
        context["error"] = str(exc)
        context["retry_rows"] = rows
    context["balance"] = _balance(client)
    context["send_form"] = SendForm(
        initial={"domain": context["domain"], "company": context["company"]}
    )
    context.update(_klenty_choices(request.user))
    return _render(request, "verified", context)


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
def send(request):
    form = SendForm(request.POST)
    rows = _rows(request)
    error = _not_emails(rows) if rows else "Tick at least one email."
    if not error and not form.is_valid():
        error = "Choose a Klenty list."
    if error:
        return render(request, f"{PAGE}#send_error", {"error": error})
    push = services.send_to_klenty(user=request.user, rows=rows, **form.cleaned_data)
    note = f"Sending {push.import_job.total} prospects to Klenty"
    if push.skipped:
        note += f"; {push.skipped} already in Klenty were skipped"
    messages.success(request, note + ".")
    url = reverse("prospects:job", args=[push.import_job_id])
    return HttpResponseClientRedirect(url) if request.htmx else redirect(url)


@require_http_methods(["GET", "POST"])
@any_role
def finder(request):
    form = FinderForm(request.POST or None)
    context: dict = {"form": form, "costs": CREDIT_COST}
    if request.method == "POST" and form.is_valid():
        client = SnovClient.from_settings(actor=request.user)
        try:
            context["result"] = client.email_finder(**form.cleaned_data)
            if request.POST.get("push") and not context["result"].found:
                client.add_names_to_find_emails(**form.cleaned_data)
                context["pushed"] = True
        except ApiError as exc:
            context["error"] = str(exc)
        context["balance"] = _balance(client)
    template = "enrichment/finder.html#result" if request.htmx else "enrichment/finder.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@any_role
def verifier(request):
    """Paste up to 500 emails; they are verified 10 a call in the worker."""
    form = VerifierForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        run = verification.create_verification_run(
            user=request.user, emails=form.cleaned_data["emails"]
        )
        url = reverse("enrichment:verification_run", args=[run.pk])
        return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
    return render(request, "enrichment/verifier.html", {"form": form, "costs": CREDIT_COST})


def _check_snov(actor) -> str:
    # The balance is free to ask for, and needs a working token.
    balance = SnovClient.from_settings(actor=actor).balance().balance
    return f"Connected. Balance: {balance:.0f} credit{pluralize(round(balance))}."


SNOV = VendorConnection(
    service=Service.SNOV,
    name="Snov.io",
    form_class=SnovConnectionForm,
    target=snov_target,
    check=_check_snov,
    env_note="SNOV_CLIENT_ID and SNOV_CLIENT_SECRET are set in the environment; "
    "they override the ones stored here.",
    page_url="enrichment:settings",
    test_url="enrichment:test_connection",
    template="enrichment/settings.html",
)


@require_http_methods(["GET", "POST"])
@admin_required
def snov_settings(request):
    return connection_page(request, SNOV)


@require_POST
@admin_required
def test_connection(request):
    return connection_test(request, SNOV)
