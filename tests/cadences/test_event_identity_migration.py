"""The migrations that give stored events their identities: the first of a replayed
event keeps it, the replays stored before keep none, and old audit entries lose
their receiver tokens (issue 14, findings 1 and 6)."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

BEFORE = [
    ("cadences", "0002_refreshes_run_on_the_background_framework"),
    ("enrichment", "0002_verification_runs_on_the_background_framework"),
    ("core", "0002_connection_client_id"),
]
AFTER = [
    ("cadences", "0005_mask_receiver_tokens_in_audit_log"),
    ("enrichment", "0004_snov_event_identity_unique"),
]
DELIVERY = {"event": "open", "email": "ada@lovelace.example", "timestamp": "2026-11-22T10:00:00Z"}
TOKEN = "Old-receiver-token_0123456789abcdefghijklmno"


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def latest_schema_after():
    """Going back takes other apps' later migrations with it (core's one-time keys):
    every app goes forward to its newest migration again, or the next test finds
    tables missing."""
    yield
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("latest_schema_after")
def test_stored_events_get_identities_and_old_audit_entries_lose_their_tokens():
    old = migrate(BEFORE)
    Event = old.get_model("cadences", "Event")
    for n, body in enumerate([json.dumps(DELIVERY), json.dumps(DELIVERY, indent=2)]):
        Event.objects.create(
            body_hash=str(n), raw_body=body, event_type="open", email="ada@lovelace.example"
        )
    Webhook = old.get_model("enrichment", "SnovWebhook")
    hook = Webhook.objects.create(token="t", event_object="campaign_email", event_action="opened")
    for _ in range(3):
        old.get_model("enrichment", "SnovEvent").objects.create(
            webhook=hook, event="campaign_email.opened", email="a@b.example", payload={"x": 1}
        )
    url = f"https://klentyadmin.example.com/hooks/klenty/{TOKEN}/"
    old.get_model("core", "AuditEntry").objects.create(
        service="klenty",
        action="add_webhook",
        target="open",
        details={"payload": {"subscription_url": url}},
        ok=True,
        result=json.dumps({"url": url}),
    )

    new = migrate(AFTER)

    identities = list(
        new.get_model("cadences", "Event").objects.order_by("pk").values_list("identity", flat=True)
    )
    assert identities[0] and identities.count(None) == 1
    snov = list(
        new.get_model("enrichment", "SnovEvent")
        .objects.order_by("pk")
        .values_list("identity", flat=True)
    )
    assert snov.count(None) == 2
    entry = new.get_model("core", "AuditEntry").objects.get()
    assert TOKEN not in entry.result + json.dumps(entry.details)
    assert "/hooks/klenty/Old-…/" in entry.result
