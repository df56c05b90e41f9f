from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET
from django_q.models import Failure

from klentyadmin.accounts.roles import admin_required, any_role, manager_required
from klentyadmin.core import attention, failures, services, status
from klentyadmin.core import audit_log as audit
from klentyadmin.core.connection_settings import (
    VendorConnection,
    connection_views,
)
from klentyadmin.core.connections import stored_connection
from klentyadmin.core.forms import KlentyConnectionForm
from klentyadmin.core.models import ApiCall, Service
from klentyadmin.integrations.klenty.target import klenty_target
from klentyadmin.lib.csv_writer import csv_download, csv_response
from reporting import cockpit


@require_GET
@any_role
def home(request):
    """The cockpit: the team's numbers (a Rep's own), and what needs attention."""
    return render(
        request,
        "core/home.html",
        {
            "cockpit": cockpit.cockpit(request.user),
            "attention": attention.items_for(request.user),
        },
    )


@require_GET
@admin_required
def system(request):
    """The plumbing Home used to show: the Klenty connection, the prospect cache, the worker."""
    return render(
        request,
        "core/system.html",
        {
            "connection": stored_connection(),
            "worker": status.worker_status(request.user),
        },
    )


@require_GET
@admin_required
def failure_detail(request, task_id: str):
    """The whole story of one failed background task: its line, arguments and traceback."""
    failure = get_object_or_404(Failure, pk=task_id)
    return render(
        request,
        "core/failure.html",
        {"failure": failure, "readable": failures.readable(failure)},
    )


KLENTY = VendorConnection(
    service=Service.KLENTY,
    name="Klenty",
    form_class=KlentyConnectionForm,
    target=klenty_target,
    check=services.check_klenty,
    env_note="KLENTY_API_KEY is set in the environment; it overrides the key stored here.",
    page_url="connections",
    test_url="test_connection",
    template="core/connections.html",
)

connections, test_connection = connection_views(KLENTY)


@require_GET
@admin_required
def api_health(request):
    recent = ApiCall.objects.order_by("-created_at")[:50]
    return render(
        request, "core/api_health.html", {"summary": status.api_health(), "recent": recent}
    )


@require_GET
@manager_required
def audit_log(request):
    form = audit.AuditFilterForm(request.GET)
    page = Paginator(audit.filtered_entries(form), audit.PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = [
        (entry, audit.result_summary(entry), audit.pretty_result(entry), audit.changes(entry))
        for entry in page
    ]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "core/audit_log.html",
        {"form": form, "page": page, "rows": rows, "query": query.urlencode()},
    )


@require_GET
@manager_required
@csv_download
def audit_log_export(request):
    """The entries the page's filters select, every page of them, as a CSV."""
    form = audit.AuditFilterForm(request.GET)
    if form.is_bound and not form.is_valid():
        messages.error(request, "Fix the filters before exporting.")
        return redirect(f"{reverse('audit_log')}?{request.GET.urlencode()}")
    return csv_response("audit-log.csv", audit.csv_rows(audit.filtered_entries(form)), stream=True)
