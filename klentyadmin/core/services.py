"""Actions on the connection settings."""

from __future__ import annotations

from dataclasses import dataclass

from klentyadmin.core.models import Connection, Service
from klentyadmin.integrations.errors import ApiError
from klentyadmin.integrations.klenty import KlentyClient


@dataclass(frozen=True)
class ConnectionTestResult:
    ok: bool
    message: str


def save_klenty_connection(*, api_key: str, clear_key: bool, team_emails: list[str]) -> Connection:
    connection, _ = Connection.objects.get_or_create(service=Service.KLENTY)
    if clear_key:
        connection.set_api_key("")
    elif api_key:
        connection.set_api_key(api_key)
    connection.team_emails = "\n".join(team_emails)
    connection.save()
    return connection


def test_klenty_connection(actor) -> ConnectionTestResult:
    """Makes the cheapest authenticated call (the lists) and remembers how it went."""
    connection, _ = Connection.objects.get_or_create(service=Service.KLENTY)
    try:
        lists = KlentyClient.from_settings(actor=actor).test_connection()
    except ApiError as exc:
        connection.record_error(str(exc))
        return ConnectionTestResult(ok=False, message=str(exc))
    connection.record_success()
    return ConnectionTestResult(
        ok=True, message=f"Connected: Klenty answered with {len(lists)} lists."
    )
