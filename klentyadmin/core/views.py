from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_q.models import Failure

from klentyadmin.accounts.roles import admin_required, any_role, manager_required
from klentyadmin.core import failures, services, status
from klentyadmin.core.connections import stored_connection
from klentyadmin.core.forms import KlentyConnectionForm
from klentyadmin.core.models import ApiCall, AuditEntry


@require_GET
@any_role
def home(request):
    return render(
        request,
        "core/home.html",
        {
            "connection": stored_connection(),
            "worker": status.worker_status(with_failures=request.user.is_manager_or_admin),
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


@require_http_methods(["GET", "POST"])
@admin_required
def connections(request):
    connection = stored_connection()
    if request.method == "POST":
        form = KlentyConnectionForm(request.POST)
        if form.is_valid():
            services.save_klenty_connection(**form.cleaned_data)
            messages.success(request, "Klenty connection saved.")
            return redirect("connections")
    else:
        initial = {"team_emails": "\n".join(connection.team_email_list) if connection else ""}
        form = KlentyConnectionForm(initial=initial)
    return render(request, "core/connections.html", {"form": form, "connection": connection})


@require_POST
@admin_required
def test_connection(request):
    result = services.test_klenty_connection(actor=request.user)
    if not request.htmx:
        (messages.success if result.ok else messages.error)(request, result.message)
        return redirect("connections")
    return render(
        request,
        "core/connections.html#test-result",
        {"result": result, "connection": stored_connection()},
    )


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
