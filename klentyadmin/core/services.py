"""The Klenty connection's cheap test call, for the Connections page."""

from __future__ import annotations

from typing import Any

from django.template.defaultfilters import pluralize

from klentyadmin.integrations.klenty.client import KlentyClient


def check_klenty(actor: Any) -> str:
    """Klenty has no "who am I": the lists are the cheapest authenticated call."""
    lists = KlentyClient.from_settings(actor=actor).test_connection()
    return f"Connected: Klenty answered with {len(lists)} list{pluralize(len(lists))}."
