from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET
from django_q.models import Failure

from klentyadmin.accounts.roles import admin_required, any_role, manager_required
from klentyadmin.core import failures, services, status
from klentyadmin.core.connection_settings import (
    VendorConnection,
    connection_views,
)
from klentyadmin.core.connections import stored_connection
from klentyadmin.core.forms import KlentyConnectionForm
from klentyadmin.core.models import ApiCall, AuditEntry, Service
from klentyadmin.integrations.klenty.target import klenty_target


@require_GET
@any_role
def home(request):
    return render(
        request,
        "core/home.html",
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
    entries = AuditEntry.objects.select_related("actor").order_by("-created_at")
    if request.GET.get("failed") == "1":
        entries = entries.filter(ok=False)
    page = Paginator(entries, 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"page": page})
