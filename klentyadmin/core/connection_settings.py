"""One shape for every vendor's connection settings page.

Each vendor's page (Klenty on Connections, Snov.io under Enrichment, the CRM under
Contacts) is a `VendorConnection`: its form (a `ConnectionForm`), the cheap call
that proves the credentials work, and the words around them. The two views
(`connection_views`), `ConnectionForm` and the partial
`includes/connection_settings.html` are shared, so the pages save, test and show
keys the same way: encrypted at rest, and only their last four characters ever
shown.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from klentyadmin.accounts.roles import admin_required
from klentyadmin.core.connections import stored_connection
from klentyadmin.core.models import Connection
from klentyadmin.integrations.errors import ApiError

PARTIAL = "includes/connection_settings.html"


class ConnectionForm(forms.Form):
    """A vendor's key. A blank key field keeps the stored key; `clear_key` removes it.

    Subclasses add the vendor's other fields and set the words below.
    """

    key_label = "API key"
    key_noun = "key"  # as in "Stored key: •••• 1234"
    key_help = ""
    key_name = "API key"  # as in "That does not look like a Klenty API key."
    clear_label = "Remove the stored key (use the sandbox)"

    api_key = forms.CharField(
        required=False,
        strip=True,
        max_length=255,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "off"}),
    )
    clear_key = forms.BooleanField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["api_key"].label = self.key_label
        self.fields["api_key"].help_text = f"{self.key_help} Leave blank to keep the stored one."
        self.fields["clear_key"].label = self.clear_label

    @classmethod
    def initial_for(cls, connection: Connection | None) -> dict[str, Any]:
        """What the form shows of a stored connection (never its key)."""
        return {}

    def clean_api_key(self) -> str:
        key = self.cleaned_data["api_key"]
        if key and (len(key) < 8 or any(c.isspace() for c in key)):
            raise forms.ValidationError(f"That does not look like a {self.key_name}.")
        return key

    def save(self, connection: Connection) -> None:
        if self.cleaned_data["clear_key"]:
            connection.set_api_key("")
        elif self.cleaned_data["api_key"]:
            connection.set_api_key(self.cleaned_data["api_key"])
        connection.save()


@dataclass(frozen=True)
class VendorConnection:
    """What one vendor's settings page needs; everything else is shared."""

    service: str  # a core.models.Service
    name: str  # "Klenty", as in "Klenty connection saved."
    form_class: type[ConnectionForm]
    target: Callable[[], Any]  # the vendor's target: .sandbox and .key_source
    # The cheap authenticated call: the sentence to show when it works, an ApiError
    # when it does not. It may return safe HTML (format_html).
    check: Callable[[Any], str]
    env_note: str  # shown when the environment overrides what is stored here
    page_url: str  # URL names
    test_url: str
    template: str  # the page, which includes PARTIAL


@dataclass(frozen=True)
class ConnectionTestResult:
    ok: bool
    message: str


def check_connection(vendor: VendorConnection, actor: Any) -> ConnectionTestResult:
    """Make the vendor's cheap call and remember how it went."""
    connection, _ = Connection.objects.get_or_create(service=vendor.service)
    try:
        message = vendor.check(actor)
    except ApiError as exc:
        connection.record_error(str(exc))
        return ConnectionTestResult(ok=False, message=str(exc))
    connection.record_success()
    return ConnectionTestResult(ok=True, message=message)


def connection_page(request: HttpRequest, vendor: VendorConnection) -> HttpResponse:
    """GET shows the page; POST saves the form. A refused form leaves no row behind."""
    connection = stored_connection(vendor.service)
    if request.method == "POST":
        form = vendor.form_class(request.POST)
        if form.is_valid():
            form.save(connection or Connection(service=vendor.service))
            messages.success(request, f"{vendor.name} connection saved.")
            return redirect(vendor.page_url)
    else:
        form = vendor.form_class(initial=vendor.form_class.initial_for(connection))
    return _render(request, vendor, vendor.template, form=form, connection=connection)


def connection_test(request: HttpRequest, vendor: VendorConnection) -> HttpResponse:
    """POST: test the stored credentials; HTMX gets the result's partial, others the page."""
    result = check_connection(vendor, actor=request.user)
    connection = stored_connection(vendor.service)
    if request.htmx:
        return _render(
            request, vendor, f"{PARTIAL}#test-result", result=result, connection=connection
        )
    form = vendor.form_class(initial=vendor.form_class.initial_for(connection))
    return _render(
        request, vendor, vendor.template, form=form, connection=connection, result=result
    )


def connection_views(
    vendor: VendorConnection,
) -> tuple[Callable[[HttpRequest], HttpResponse], Callable[[HttpRequest], HttpResponse]]:
    """The vendor's settings page (GET, POST saves) and its "Test connection" POST.

    Both are for Admins only: they hold the vendor's credentials.
    """

    @require_http_methods(["GET", "POST"])
    @admin_required
    def settings_page(request: HttpRequest) -> HttpResponse:
        return connection_page(request, vendor)

    @require_POST
    @admin_required
    def test_connection(request: HttpRequest) -> HttpResponse:
        return connection_test(request, vendor)

    return settings_page, test_connection


def _render(request: HttpRequest, vendor: VendorConnection, template: str, **context: Any):
    return render(request, template, {"vendor": vendor, "target": vendor.target(), **context})
