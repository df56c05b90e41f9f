"""The Snov.io connection settings page, in the shape all three vendors share."""

from __future__ import annotations

from django.template.defaultfilters import pluralize

from enrichment.forms import SnovConnectionForm
from klentyadmin.core.connection_settings import (
    VendorConnection,
    connection_views,
)
from klentyadmin.core.models import Service
from klentyadmin.integrations.snov.client import SnovClient
from klentyadmin.integrations.snov.target import snov_target


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

snov_settings, test_connection = connection_views(SNOV)
