"""Fixtures of the bad-input corpus: one sandbox reset per test module (a rejected
input writes nothing there, so cases cannot disturb each other), and a small
world of users and records for each case to aim at."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest

from tests.badinput.corpus_webhooks import KLENTY_STORED, SNOV_STORED
from tests.badinput.harness import Case, check_case
from tests.conftest import make_user, signed_in_client
from tests.fixtures.sandbox import SANDBOX_OUTCOMES, SandboxControl
from tests.fixtures.two_factor import recently_signed_in

GOOD_CSV = b"Email,First name,Company\nada@lovelace.example,Ada,Analytical\n"


@pytest.fixture(scope="module")
def sandbox_once(sandbox_server) -> SandboxControl:
    control = SandboxControl(sandbox_server)
    control.reset()
    return control


@pytest.fixture
def on_sandbox(sandbox_once, settings, tmp_path) -> SandboxControl:
    """Every client aimed at the sandbox, fast, with uploads in a folder of the test's own."""
    from klentyadmin.integrations import snov

    settings.SANDBOX_URL = sandbox_once.url
    settings.SANDBOX_KLENTY_KEY = sandbox_once.key
    settings.KLENTY_API_KEY = settings.KLENTY_API_BASE = settings.KLENTY_APP_BASE = ""
    settings.KLENTY_TEAM_EMAILS = []
    settings.KLENTY_OUTCOMES = list(SANDBOX_OUTCOMES)  # as bin/run configures them
    settings.SNOV_CLIENT_ID = settings.SNOV_CLIENT_SECRET = settings.SNOV_API_BASE = ""
    settings.CRM_API_KEY = settings.CRM_API_BASE = ""
    settings.SANDBOX_CRM_KEY = "sandbox-crm-key"
    settings.KLENTY_RATE_LIMIT_PER_MIN = settings.SNOV_RATE_LIMIT_PER_MIN = 100_000
    settings.CRM_RATE_LIMIT_PER_MIN = 100_000
    settings.API_BACKOFF_BASE, settings.API_BACKOFF_CAP = 0.01, 0.05
    settings.API_MAX_ATTEMPTS = 1
    settings.PUBLIC_BASE_URL = "http://testserver"
    settings.VAR_DIR = tmp_path / "var"
    snov.forget_tokens()
    yield sandbox_once
    snov.forget_tokens()


@dataclass
class World:
    objects: dict[str, Any]
    clients: dict[str, Any]
    import_folder: Any


@pytest.fixture
def world(db, on_sandbox, settings) -> World:
    from cadences.models import Cadence, WebhookSubscription
    from enrichment.models import SnovWebhook
    from prospects import imports
    from prospects.models import Prospect, ProspectList
    from reporting.models import ReportSubscription

    users = {
        "admin": make_user("alice", "admin"),
        "manager": make_user("morgan", "manager", "morgan.hale@northwind.example"),
        "rep": make_user("priya", "rep", "priya.natarajan@northwind.example"),
    }
    other_rep = make_user("diego", "rep", "diego.alvarez@northwind.example")
    unlinked_rep = make_user("uma", "rep")  # no Klenty email
    webinar = ProspectList.objects.create(name="Webinar", klenty_id="list-1")
    mine = Prospect.objects.create(
        email="ada@lovelace.example",
        first_name="Ada",
        owner_email=users["rep"].klenty_email,
        prospect_list=webinar,
        cadence_name="New Leads",
        tags=["paid"],
    )
    theirs = Prospect.objects.create(
        email="grace@hopper.example", first_name="Grace", owner_email=other_rep.klenty_email
    )
    cadence = Cadence.objects.create(
        klenty_id="cad-1", name="New Leads", owners=[users["rep"].klenty_email]
    )
    hook = WebhookSubscription.objects.create(
        klenty_id="hook-1",
        event="open",
        url="http://testserver/hooks/klenty/token-one/",
        token="token-one",
    )
    snov_hook = SnovWebhook.objects.create(
        snov_id=1, event_object="campaign_email", event_action="opened", token="snov-token-one"
    )
    store_replayed_deliveries()
    report = ReportSubscription.objects.create(user=users["rep"], unsubscribe_token="unsub-one")
    upload = imports.save_upload(user=users["rep"], data=GOOD_CSV, filename="good.csv")
    views = saved_views(users, other_rep)
    objects = {
        **{f"{role}_user": user.pk for role, user in users.items()},
        "rep_prospect": mine.pk,
        "other_prospect": theirs.pk,
        "cadence": cadence.pk,
        "subscription": hook.pk,
        "snov_hook": snov_hook.pk,
        "report": report.pk,
        "upload_token": upload.token,
        "other_report": ReportSubscription.objects.create(
            user=other_rep, unsubscribe_token="unsub-two"
        ).pk,
    }
    objects.update(sealed_rows(users, unlinked_rep))
    objects.update(views)
    objects.update(alert_rows())
    # Just signed in, as a person is: forms behind re-authentication are reached.
    clients = {
        role: recently_signed_in(signed_in_client(user), user) for role, user in users.items()
    }
    clients["unlinked_rep"] = recently_signed_in(signed_in_client(unlinked_rep), unlinked_rep)
    from django.test import Client

    clients["anon"] = Client()
    return World(objects, clients, imports.import_dir())


def saved_views(users: dict[str, Any], other_rep) -> dict[str, int]:
    """The Rep's own view, the Manager's shared one, and another Rep's private one."""
    from saved_views.models import SavedView, Visibility

    def view(owner, name: str, visibility: str = Visibility.PERSONAL) -> int:
        return SavedView.objects.create(
            owner=owner, name=name, query="status=Replied", visibility=visibility
        ).pk

    return {
        "rep_view": view(users["rep"], "Mine"),
        "shared_view": view(users["manager"], "Team replies", Visibility.SHARED),
        "private_view": view(other_rep, "Diego's own"),
    }


def sealed_rows(users: dict[str, Any], unlinked_rep) -> dict[str, str]:
    """Send to Klenty row values as the verify step gives them, for the enrichment cases."""
    from enrichment.services import Row, sealed_value

    row = Row("new.lead@brightforge.example", "New", "Lead", "CTO")
    return {
        "rep_sealed_row": sealed_value(row, users["rep"]),
        "rep_tampered_row": sealed_value(row, users["rep"]).replace("New", "Old", 1),
        "manager_sealed_row": sealed_value(row, users["manager"]),
        "unlinked_rep_sealed_row": sealed_value(row, unlinked_rep),
    }


def store_replayed_deliveries() -> None:
    """A second open hook, and one delivery stored by each receiver, for the replay cases."""
    from django.test import Client

    from cadences.models import WebhookSubscription

    WebhookSubscription.objects.create(
        event="open", url="http://testserver/hooks/klenty/token-two/", token="token-two"
    )
    receiver = Client()
    for url, body in [
        ("/hooks/klenty/token-one/", KLENTY_STORED),
        ("/enrichment/hooks/snov-token-one/", SNOV_STORED),
    ]:
        assert receiver.post(url, body, content_type="application/json").status_code == 200


def stored_upload(user_id: int, data: bytes, mapping: tuple[str, ...] | None) -> str:
    from klentyadmin.accounts.models import User
    from prospects import imports

    stored = imports.save_upload(user=User.objects.get(pk=user_id), data=data, filename="bad.csv")
    if mapping is not None:
        stored.meta["mapping"] = list(mapping)
        stored.save()
    return stored.token


@pytest.fixture
def run_case(world, on_sandbox):
    def run(case: Case) -> None:
        if case.upload is not None:
            world.objects["upload_token"] = stored_upload(
                world.objects["rep_user"], case.upload, case.mapping
            )
        check_case(
            case,
            client=world.clients[case.who],
            world=world.objects,
            sandbox=on_sandbox,
            import_folder=world.import_folder,
        )

    return run


def alert_rows() -> dict[str, int]:
    """An alert rule about the team and its open firing (it proposes no action)."""
    from alerts.models import AlertFiring, AlertRule

    rule = AlertRule.objects.create(name="Bounces", metric="bounce_rate", threshold=5)
    firing = AlertFiring.objects.create(rule=rule, message="Bounces: 6%")
    return {"alert_rule": rule.pk, "alert_firing": firing.pk}
