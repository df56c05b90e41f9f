"""A bulk "start cadence" in the dashboard → Klenty (the sandbox) delivers startCadence
events to the receiver over real HTTP → they show in the feed and on the prospect."""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse

from cadences.models import Event
from klentyadmin.core.once import new_key
from klentyadmin.integrations.klenty import KlentyClient
from prospects.models import BulkAction, BulkJob
from tests.cadences.conftest import cache_from_sandbox

WAIT_SECONDS = 20


def wait_for_deliveries(sandbox, count: int, timeout: float = WAIT_SECONDS) -> None:
    """Waits on the sandbox's count, not the database: the test database is in-memory
    SQLite, where reading it while the live server writes would lock the table."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        stats = sandbox.webhook_deliveries()
        if stats["delivered"] + stats["failed"] >= count and not stats["pending"]:
            assert stats["failed"] == 0, stats["deliveries"]
            return
        time.sleep(0.1)
    raise AssertionError(f"{count} deliveries not made within {timeout} s")


@pytest.fixture
def deliveries_held(monkeypatch):
    """Holds the receiver back while the test thread writes to the database.

    The test database is in-memory SQLite in shared-cache mode, where two threads
    writing at once get "table is locked" at once instead of waiting (a file
    database waits out its busy timeout). Here the bulk job runs in the test
    thread while the sandbox delivers to the live server's thread, so deliveries
    wait until the job is done (well inside the sandbox's 3 s delivery timeout).
    """
    from cadences.views import receiver

    lock = threading.Lock()
    store = receiver.store

    def held_store(*args, **kwargs):
        with lock:
            return store(*args, **kwargs)

    monkeypatch.setattr(receiver, "store", held_store)

    @contextmanager
    def hold():
        with lock:
            yield

    return hold


@pytest.fixture
def receiving(live_server, sandbox, settings, transactional_db, admin_user):
    """The dashboard subscribed to every event at the live server's address."""
    settings.PUBLIC_BASE_URL = live_server.url
    admin = Client()
    admin.force_login(admin_user)
    assert admin.post(reverse("cadences:webhook_subscribe")).status_code == 302
    return sandbox


def test_a_bulk_start_cadence_arrives_as_events_in_the_feed_and_on_the_prospect(
    receiving, manager_user, deliveries_held
):
    sandbox = receiving
    prospects = cache_from_sandbox(sandbox, limit=3, status="Not Contacted")
    cadence = KlentyClient.from_settings().get_company_cadences()[0].name
    manager = Client()
    manager.force_login(manager_user)

    with deliveries_held():
        response = manager.post(
            reverse("prospects:bulk_start"),
            {
                "action": BulkAction.START_CADENCE,
                "scope": "selected",
                "prospect_ids": [p.pk for p in prospects],
                "cadence_name": cadence,
                "once_key": new_key(),
            },
        )

    assert response.status_code == 302
    assert BulkJob.objects.get().status == BulkJob.Status.DONE
    wait_for_deliveries(sandbox, 3)
    events = list(Event.objects.filter(event_type="startCadence"))
    assert {e.email for e in events} == {p.email for p in prospects}
    assert {e.cadence_name for e in events} == {cadence}
    assert all(e.prospect_id for e in events)

    feed = manager.get(reverse("cadences:feed"), {"type": "startCadence"})
    html = feed.content.decode()
    for prospect in prospects:
        assert prospect.email in html
        prospect.refresh_from_db()
        assert (prospect.prospect_status, prospect.cadence_name) == ("In Cadence", cadence)
        detail = Template("{% load cadence_events %}{% prospect_events prospect %}").render(
            Context({"prospect": prospect})
        )
        assert 'data-event-type="startCadence"' in detail


def test_simulated_activity_arrives_and_updates_the_cache(receiving):
    sandbox = receiving
    [prospect] = cache_from_sandbox(sandbox, limit=1, status="In Cadence")

    sandbox.activity(prospect.email, "unsubscribe")

    wait_for_deliveries(sandbox, 1)
    event = Event.objects.get(event_type="unsubscribe")
    assert event.email == prospect.email
    prospect.refresh_from_db()
    assert prospect.prospect_status == "Unsubscribed"
