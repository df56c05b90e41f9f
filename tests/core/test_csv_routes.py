"""Every CSV the dashboard hands out, and the report emails' attachments, carry no
formula: a cadence named =HYPERLINK(...), an email starting with + or -, a tag
@SUM(1) all come out quoted. The CSV routes are found from the URL configuration
(views marked @csv_download), so a new one without a case here fails."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings as django_settings
from django.core import mail
from django.urls import reverse

from cadences.models import Event
from klentyadmin.core.models import AuditEntry
from klentyadmin.lib.csv_writer import FORMULA_STARTS, csv_text
from prospects import bulk
from prospects.models import BulkAction, BulkJobItem
from reporting import charts, emails, images
from reporting.models import Call, EngagementDay, ReportSubscription
from reporting.rollups import rebuild_all
from tests.core.test_route_access import ROUTES
from tests.prospects.test_import import csv_bytes, mapped, started, uploaded
from tests.prospects.test_search import make_prospect
from tests.reporting.conftest import TODAY

pytestmark = pytest.mark.django_db

CADENCE = '=HYPERLINK("http://evil.example","x")'
PLUS_EMAIL = "+plus@evil.example"
MINUS_EMAIL = "-minus@evil.example"
TAG = "@SUM(1)"
MESSAGE = "=cmd|' /C calc'!A0"
REP = "-rep@evil.example"

CSV_ROUTES = {route.name: route for route in ROUTES if getattr(route.callback, "serves_csv", 0)}


def read(response) -> list[list[str]]:
    assert response.status_code == 200, response
    assert response["Content-Type"].startswith("text/csv")
    if response.streaming:
        body = b"".join(response.streaming_content)
    else:
        body = response.content
    return list(csv.reader(io.StringIO(body.decode().removeprefix("\ufeff"))))


def assert_neutralised(rows: list[list[str]], planted: list[str]) -> None:
    cells = [cell for row in rows for cell in row]
    live = [cell for cell in cells if cell.startswith(FORMULA_STARTS)]
    assert live == [], f"cells a spreadsheet would run: {live}"
    for value in planted:
        assert any(cell == "'" + value or ("'" + value) in cell for cell in cells), value


# -- the planted world, one case per CSV route ------------------------------------


def export_case(client, tmp_path) -> tuple[str, list[str]]:
    make_prospect(email=PLUS_EMAIL, tags=[TAG], cadence_name=CADENCE)
    make_prospect(email=MINUS_EMAIL, company="=1+1", full_name="\tTabbed")
    return reverse("prospects:export"), [PLUS_EMAIL, MINUS_EMAIL, TAG, CADENCE, "=1+1"]


def job_results_case(client, tmp_path, monkeypatch) -> tuple[str, list[str]]:
    monkeypatch.setattr("prospects.bulk.queue_job", lambda job_id: None)
    ids = [make_prospect(email=email).pk for email in (PLUS_EMAIL, MINUS_EMAIL)]
    job = bulk.create_job(
        user=client.user, action=BulkAction.STOP_MAILS, params={}, prospect_ids=ids
    )
    job.items.filter(email=PLUS_EMAIL).update(state=BulkJobItem.State.FAILED, message=MESSAGE)
    return reverse("prospects:job_results", args=[job.pk]), [PLUS_EMAIL, MINUS_EMAIL, MESSAGE]


def import_outcome_case(client, tmp_path, capture) -> tuple[str, list[str]]:
    token = uploaded(client, csv_bytes([["Email"], ["=HYPERLINK(1)"], ["-minus"]]))
    mapped(client, token)
    started(client, token, capture)
    return reverse("prospects:import_outcome", args=[token]), ["=hyperlink(1)", "-minus"]


def audit_log_case(client, tmp_path) -> tuple[str, list[str]]:
    AuditEntry.objects.create(
        actor_name=REP,
        service="klenty",
        action="add_tags",
        target=PLUS_EMAIL,
        ok=False,
        result=MESSAGE,
    )
    return reverse("audit_log_export"), [REP, PLUS_EMAIL, MESSAGE]


def plant_reports() -> None:
    EngagementDay.objects.create(
        cadence_name=CADENCE, day=TODAY, opens=5, replies=2, prospects_added=9, clicks=1
    )
    Call.objects.create(
        call_sid="CA1",
        username=REP,
        called_on=TODAY,
        created_at=datetime(TODAY.year, TODAY.month, TODAY.day, 15, tzinfo=UTC),
        disposition="CONNECTED",
        duration_seconds=30,
    )
    rebuild_all()


# Each chart shows the planted cadence or rep, where that chart names them.
NAMED_BY_CHART = {
    "engagement_cadences": [CADENCE],
    "funnel": [],
    "cadences": [CADENCE],
    "calls_reps": [REP],
    "leaderboard": [REP],
}


def chart_cases() -> list[tuple[str, list[str]]]:
    return [(name, NAMED_BY_CHART.get(name, [])) for name in charts.CHART_SECTIONS]


# The CSV routes the tests below plant formulas in ("reporting:csv": one per chart).
COVERED = {
    "prospects:export",
    "prospects:job_results",
    "prospects:import_outcome",
    "reporting:csv",
    "reporting:health_csv",
    "audit_log_export",
}


def test_every_csv_route_has_a_planted_case():
    assert set(CSV_ROUTES) == COVERED


def test_every_route_that_looks_like_a_csv_is_marked():
    looks = {r.name for r in ROUTES if r.url.endswith(".csv") or "csv" in r.name}
    assert looks <= set(CSV_ROUTES), "mark these views @csv_download"


APP_DIRS = ("prospects", "cadences", "contacts", "enrichment", "reporting", "klentyadmin")
CSV_RESPONSE = re.compile(r"""content_type\s*=\s*["']text/csv""")


def test_no_module_makes_a_csv_response_by_hand():
    """A CSV response made without the writer would also escape the route walk."""
    root = Path(django_settings.BASE_DIR)
    offenders = []
    for folder in APP_DIRS:
        for path in (root / folder).rglob("*.py"):
            relative = path.relative_to(root).as_posix()
            if relative == "klentyadmin/lib/csv_writer.py" or "/sandbox/" in relative:
                continue
            text = path.read_text()
            if CSV_RESPONSE.search(text) or ("views" in relative and "csv.writer" in text):
                offenders.append(relative)
    assert offenders == [], "write CSV through klentyadmin.lib.csv_writer"


@pytest.fixture
def manager(manager_client, manager_user, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    manager_client.user = manager_user
    return manager_client


def test_the_prospects_export_is_neutralised(manager, tmp_path):
    url, planted = export_case(manager, tmp_path)
    assert_neutralised(read(manager.get(url)), planted)


def test_a_bulk_jobs_results_are_neutralised(manager, tmp_path, monkeypatch):
    url, planted = job_results_case(manager, tmp_path, monkeypatch)
    assert_neutralised(read(manager.get(url)), planted)


def test_an_imports_outcome_is_neutralised(manager, tmp_path, django_capture_on_commit_callbacks):
    url, planted = import_outcome_case(manager, tmp_path, django_capture_on_commit_callbacks)
    assert_neutralised(read(manager.get(url)), planted)


def test_the_audit_logs_export_is_neutralised(manager, tmp_path):
    url, planted = audit_log_case(manager, tmp_path)
    assert_neutralised(read(manager.get(url)), planted)


@pytest.mark.parametrize(("chart", "planted"), chart_cases(), ids=[c for c, _ in chart_cases()])
def test_every_chart_csv_is_neutralised(manager, chart, planted):
    with time_machine.travel(f"{TODAY.isoformat()} 12:00 +0000", tick=False):
        plant_reports()
        response = manager.get(reverse("reporting:csv", args=[chart]), {"range": "7"})
    assert_neutralised(read(response), planted)


# The deliverability and answer-times tables: the planted cadence where a table names it.
HEALTH_CSVS = {
    "deliverability_reps": [REP],
    "deliverability_cadences": [CADENCE],
    "deliverability_trend": [],
    "answer_opens": [],
    "answer_replies": [],
}


@pytest.mark.parametrize(("name", "planted"), HEALTH_CSVS.items(), ids=list(HEALTH_CSVS))
def test_every_health_csv_is_neutralised(manager, name, planted, settings):
    settings.KLENTY_TEAM_EMAILS = [REP]
    with time_machine.travel(f"{TODAY.isoformat()} 12:00 +0000", tick=False):
        plant_reports()
        EngagementDay.objects.filter(cadence_name=CADENCE).update(bounces=1)
        for kind in ("open", "reply"):
            Event.objects.create(
                raw_body="{}", event_type=kind, email=PLUS_EMAIL, cadence_name=CADENCE
            )
        response = manager.get(reverse("reporting:health_csv", args=[name]))
    rows = read(response)
    assert len(rows) > 1
    assert_neutralised(rows, planted)


@pytest.mark.parametrize("report", list(ReportSubscription.Report))
def test_the_report_emails_csv_attachments_are_neutralised(
    manager_user, report, monkeypatch, mailoutbox
):
    monkeypatch.setattr(images, "render_pngs", lambda figures: [b"\x89PNG" for _ in figures])
    with time_machine.travel(datetime(2026, 3, 16, 12, tzinfo=UTC), tick=False):
        plant_reports()
        subscription = ReportSubscription(
            user=manager_user,
            report=report,
            frequency=ReportSubscription.Frequency.WEEKLY,
            weekday=ReportSubscription.Weekday.MONDAY,
            hour=8,
            time_zone="UTC",
            unsubscribe_token=emails.new_token(),
        )
        emails.schedule(subscription)
        subscription.save()
        assert emails.deliver(emails.queue_test(subscription).pk)
    [message] = mail.outbox
    attachments = [
        part.get_payload(decode=True).decode()
        for part in message.message().walk()
        if part.get_content_type() == "text/csv"
    ]
    assert attachments
    cells = [row for text in attachments for row in csv.reader(io.StringIO(text))]
    named = {
        ReportSubscription.Report.ENGAGEMENT: [CADENCE],
        ReportSubscription.Report.CALLS: [REP],
        ReportSubscription.Report.CADENCES: [CADENCE],
    }[report]
    assert_neutralised(cells, named)


def test_numbers_stay_numbers_and_only_text_is_quoted():
    text = csv_text([["-5", -5, 2.5, None, "@x", "a-b"]])
    assert text.strip() == "'-5,-5,2.5,,'@x,a-b"
