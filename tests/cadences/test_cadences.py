from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cadences.models import Cadence, CadenceRefresh, Event
from cadences.sync import refresh_cadences
from klentyadmin.integrations.klenty import KlentyClient
from prospects.models import BulkAction, BulkJob
from reporting.models import EngagementDay
from tests.cadences.conftest import cache_from_sandbox, make_prospect

MORGAN = "morgan.hale@northwind.example"
PRIYA = "priya.natarajan@northwind.example"

pytestmark = pytest.mark.django_db


def test_a_refresh_caches_every_company_cadence_with_its_owners(sandbox):
    run = refresh_cadences()

    assert run.error == ""
    client = KlentyClient.from_settings()
    company = {c.id: c.name for c in client.get_company_cadences()}
    cached = {c.klenty_id: c for c in Cadence.objects.all()}
    assert {k: c.name for k, c in cached.items()} == company
    for member in (MORGAN, PRIYA):
        for owned in client.get_user_cadences(member):
            assert member in cached[owned.id].owners
    assert all(c.owners for c in cached.values())


def test_a_second_refresh_changes_nothing_and_drops_deleted_cadences(sandbox):
    refresh_cadences()
    Cadence.objects.create(klenty_id="gone", name="Deleted in Klenty")

    refresh_cadences()

    assert not Cadence.objects.filter(klenty_id="gone").exists()
    assert Cadence.objects.count() == len(KlentyClient.from_settings().get_company_cadences())


def test_a_failed_refresh_keeps_the_cache_and_says_why(sandbox):
    refresh_cadences()
    before = Cadence.objects.count()
    sandbox.fail_next(count=10, status=503, path_contains="/cadences")

    run = refresh_cadences()

    assert "not answering" in run.error
    assert Cadence.objects.count() == before


def test_the_cadences_page_lists_names_owners_counts_and_activity(
    manager_client, sandbox, django_assert_max_num_queries
):
    refresh_cadences()
    cadence = Cadence.objects.first()
    make_prospect("a@x.example", PRIYA, cadence_name=cadence.name, cadence_status="In Cadence")
    make_prospect("b@x.example", MORGAN, cadence_name=cadence.name, cadence_status="Stopped")
    Event.objects.create(
        identity="1",
        raw_body="{}",
        event_type="open",
        email="a@x.example",
        cadence_name=cadence.name,
    )
    today = timezone.localdate()
    EngagementDay.objects.create(cadence_name=cadence.name, day=today, opens=4, replies=1)
    EngagementDay.objects.create(
        cadence_name=cadence.name,
        day=today - timedelta(days=1),
        opens=3,
        prospects_added=5,
        in_cadence=4,
    )
    EngagementDay.objects.create(  # outside the 30-day window
        cadence_name=cadence.name, day=today - timedelta(days=45), opens=100, in_cadence=50
    )

    with django_assert_max_num_queries(12):
        response = manager_client.get(reverse("cadences:list"))

    row = next(r for r in response.context["summaries"] if r.cadence == cadence)
    assert row.prospects == 2
    # Klenty's count (of the 30 days' additions), not the cache's statuses: they contradicted
    # the Reports page's cadence comparison, which sums the same pulled figure.
    assert row.engagement["in_cadence"] == 4
    assert row.engagement["opens"] == 7
    assert row.engagement["replies"] == 1
    assert row.engagement["prospects_added"] == 5
    assert row.last_activity is not None
    html = response.content.decode()
    assert cadence.name in html
    assert cadence.owners[0] in html
    assert "Cached prospects" in html


def test_the_page_costs_the_same_queries_for_many_cadences(
    manager_client, db, django_assert_max_num_queries
):
    for i in range(60):
        Cadence.objects.create(klenty_id=str(i), name=f"Cadence {i}", owners=[MORGAN])
        make_prospect(f"p{i}@x.example", MORGAN, cadence_name=f"Cadence {i}")

    with django_assert_max_num_queries(12):
        manager_client.get(reverse("cadences:list"))


def test_a_rep_sees_cadences_they_own_or_have_prospects_in_and_only_their_counts(rep_client, db):
    Cadence.objects.create(klenty_id="1", name="Priya's own", owners=[PRIYA])
    Cadence.objects.create(klenty_id="2", name="Has her prospect", owners=[MORGAN])
    Cadence.objects.create(klenty_id="3", name="Not hers", owners=[MORGAN])
    make_prospect("mine@x.example", PRIYA, cadence_name="Has her prospect")
    make_prospect("theirs@x.example", MORGAN, cadence_name="Has her prospect")
    make_prospect("other@x.example", MORGAN, cadence_name="Not hers")

    response = rep_client.get(reverse("cadences:list"))

    rows = {r.cadence.name: r.prospects for r in response.context["summaries"]}
    assert rows == {"Priya's own": 0, "Has her prospect": 1}
    hidden = Cadence.objects.get(name="Not hers")
    assert rep_client.get(reverse("cadences:detail", args=[hidden.pk])).status_code == 404


def test_the_cadence_page_costs_a_fixed_number_of_queries(
    manager_client, db, django_assert_max_num_queries
):
    cadence = Cadence.objects.create(klenty_id="1", name="New Leads", owners=[MORGAN])
    for i in range(80):
        make_prospect(f"p{i}@x.example", MORGAN, cadence_name="New Leads")

    with django_assert_max_num_queries(10):
        response = manager_client.get(reverse("cadences:detail", args=[cadence.pk]))

    assert len(response.context["prospects"]) == 80


def test_only_managers_refresh(rep_client, db):
    assert rep_client.post(reverse("cadences:refresh")).status_code == 403


def test_refresh_now_reads_klenty_and_reports(manager_client, sandbox):
    response = manager_client.post(reverse("cadences:refresh"), follow=True)

    assert "Refreshed:" in response.content.decode()
    assert Cadence.objects.exists()
    assert CadenceRefresh.objects.get().error == ""


def test_the_cadence_page_shows_its_prospects_and_links_to_the_search(manager_client, sandbox):
    refresh_cadences()
    prospects = cache_from_sandbox(sandbox, limit=3, cadence_status="In Cadence")
    cadence = Cadence.objects.get(name=prospects[0].cadence_name)

    response = manager_client.get(reverse("cadences:detail", args=[cadence.pk]))

    html = response.content.decode()
    assert prospects[0].email in html
    assert "/prospects/?cadence=" in html
    assert response.context["status_counts"]


def test_the_steps_come_from_klentys_step_wise_figures(manager_client, sandbox):
    refresh_cadences()
    cadence = Cadence.objects.first()

    response = manager_client.get(
        reverse("cadences:steps", args=[cadence.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert b"<html" not in response.content
    assert b'data-testid="steps"' in response.content


def test_steps_that_cannot_be_loaded_show_the_message_and_a_retry(manager_client, sandbox):
    refresh_cadences()
    cadence = Cadence.objects.first()
    sandbox.fail_next(count=10, status=503, path_contains="stepWise")

    response = manager_client.get(
        reverse("cadences:steps", args=[cadence.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert "not answering right now" in response.content.decode()
    assert b"Try again" in response.content


@pytest.mark.parametrize(
    ("action", "params"),
    [(BulkAction.STOP_CADENCE, True), (BulkAction.RESUME_CADENCE, False)],
)
def test_stop_or_resume_for_selected_prospects_goes_through_the_bulk_engine(
    manager_client, db, action, params, monkeypatch
):
    monkeypatch.setattr("prospects.bulk.queue_job", lambda job_id: None)
    cadence = Cadence.objects.create(klenty_id="1", name="New Leads", owners=[MORGAN])
    chosen = make_prospect("a@x.example", MORGAN, cadence_name="New Leads")
    make_prospect("b@x.example", MORGAN, cadence_name="New Leads")

    response = manager_client.post(
        reverse("cadences:act", args=[cadence.pk]),
        {"action": action, "prospect_ids": [chosen.pk]},
    )

    job = BulkJob.objects.get()
    assert response.url == reverse("prospects:job", args=[job.pk])
    assert job.action == action
    assert job.params == ({"cadence_name": "New Leads"} if params else {})
    assert list(job.items.values_list("email", flat=True)) == ["a@x.example"]


def test_stopping_with_nothing_ticked_says_so(manager_client, db):
    cadence = Cadence.objects.create(klenty_id="1", name="New Leads")

    response = manager_client.post(
        reverse("cadences:act", args=[cadence.pk]), {"action": "stop_cadence"}, follow=True
    )

    assert "Tick at least one prospect" in response.content.decode()
    assert not BulkJob.objects.exists()


def test_a_search_is_previewed_then_started_in_a_cadence(manager_client, db, monkeypatch):
    monkeypatch.setattr("prospects.bulk.queue_job", lambda job_id: None)
    cadence = Cadence.objects.create(klenty_id="1", name="New Leads")
    make_prospect("a@x.example", MORGAN, prospect_status="Not Contacted")
    make_prospect("b@x.example", MORGAN, prospect_status="Not Contacted")
    make_prospect("c@x.example", MORGAN, prospect_status="Replied")

    preview = manager_client.get(
        reverse("cadences:add_search"), {"target": cadence.pk, "status": "Not Contacted"}
    )
    assert preview.context["count"] == 2
    assert preview.context["form"]["cadence"].value() == str(cadence.pk)
    query = preview.context["query"]
    assert query == "status=Not+Contacted"

    response = manager_client.post(
        reverse("cadences:add_search"), {"cadence": cadence.pk, "query": query}
    )

    job = BulkJob.objects.get()
    assert response.url == reverse("prospects:job", args=[job.pk])
    assert job.action == BulkAction.START_CADENCE
    assert job.params == {"cadence_name": "New Leads"}
    assert sorted(job.items.values_list("email", flat=True)) == ["a@x.example", "b@x.example"]


def test_a_rep_adds_only_their_own_prospects(rep_client, db, monkeypatch):
    monkeypatch.setattr("prospects.bulk.queue_job", lambda job_id: None)
    cadence = Cadence.objects.create(klenty_id="1", name="New Leads", owners=[PRIYA])
    make_prospect("mine@x.example", PRIYA)
    make_prospect("theirs@x.example", MORGAN)

    rep_client.post(reverse("cadences:add_search"), {"cadence": cadence.pk, "query": ""})

    assert list(BulkJob.objects.get().items.values_list("email", flat=True)) == ["mine@x.example"]


@pytest.mark.parametrize("query", ["status=Replied&q=" + "a" * 201, "created_from=not-a-date"])
def test_a_search_whose_filter_does_not_apply_starts_no_cadence(manager_client, db, query):
    # Dropping the bad filter would start the cadence for more prospects than were shown.
    cadence = Cadence.objects.create(klenty_id="1", name="New Leads")
    make_prospect("a@x.example", MORGAN, prospect_status="Not Contacted")
    make_prospect("b@x.example", MORGAN, prospect_status="Replied")

    preview = manager_client.get(f"{reverse('cadences:add_search')}?target={cadence.pk}&{query}")
    response = manager_client.post(
        reverse("cadences:add_search"), {"cadence": cadence.pk, "query": query}
    )

    assert preview.context["count"] == 0
    assert "The search has filters that do not apply" in preview.content.decode()
    assert response.status_code == 200
    assert "The search has filters that do not apply" in response.content.decode()
    assert not BulkJob.objects.exists()


def test_acting_on_ticked_prospects_keeps_only_the_users_own(rep_client, db, monkeypatch):
    monkeypatch.setattr("prospects.bulk.queue_job", lambda job_id: None)
    cadence = Cadence.objects.create(klenty_id="1", name="New Leads", owners=[PRIYA])
    mine = make_prospect("mine@x.example", PRIYA, cadence_name="New Leads")
    theirs = make_prospect("theirs@x.example", MORGAN, cadence_name="New Leads")

    rep_client.post(
        reverse("cadences:act", args=[cadence.pk]),
        {"action": BulkAction.STOP_CADENCE, "prospect_ids": [mine.pk, theirs.pk]},
    )

    job = BulkJob.objects.get()
    assert list(job.items.values_list("email", flat=True)) == ["mine@x.example"]
    assert job.description.endswith("for 1 selected")


def test_the_cadences_page_and_the_reports_comparison_agree_on_the_same_days(manager_client, db):
    cadence = Cadence.objects.create(klenty_id="c1", name="Outbound", owners=[MORGAN])
    today = timezone.localdate()
    for back, in_cadence in ((0, 1), (29, 10), (30, 100)):  # the 30th day back is outside both
        EngagementDay.objects.create(
            cadence_name=cadence.name, day=today - timedelta(days=back), in_cadence=in_cadence
        )

    page = manager_client.get(reverse("cadences:list"))
    report = manager_client.get(reverse("reporting:section", args=["cadences"]))

    row = next(r for r in page.context["summaries"] if r.cadence == cadence)
    compared = next(
        r for r in report.context["cadences"].figures["rows"] if r["cadence"] == "Outbound"
    )
    assert row.engagement["in_cadence"] == compared["in_cadence"] == 11
