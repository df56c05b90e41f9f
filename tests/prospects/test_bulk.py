"""Bulk actions end to end: the view, the engine in the (inline) worker, the sandbox's state."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from klentyadmin.core import background
from klentyadmin.integrations.klenty import KlentyClient
from prospects import bulk
from prospects.models import BulkAction, BulkJob, BulkJobItem, Prospect, ProspectList


@pytest.fixture(autouse=True)
def fast_client(settings):
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    settings.API_BACKOFF_BASE = 0.01
    settings.API_BACKOFF_CAP = 0.05
    settings.API_MAX_ATTEMPTS = 2


def cache(sandbox, limit=5, **filters) -> list[Prospect]:
    """Copies sandbox prospects into the cache, as the sync would."""
    rows = []
    for summary in sandbox.find_prospects(limit=limit, **filters):
        prospect_list, _ = ProspectList.objects.get_or_create(name=summary["list"])
        rows.append(
            Prospect.objects.create(
                klenty_id=summary["id"],
                email=summary["email"],
                owner_email=summary["owner"],
                prospect_status=summary["status"],
                cadence_status=summary["cadence_status"],
                prospect_list=prospect_list,
                tags=summary["tags"],
            )
        )
    assert len(rows) == limit, f"the sandbox has fewer than {limit} prospects with {filters}"
    return rows


def first_cadence() -> str:
    return KlentyClient.from_settings().get_company_cadences()[0].name


@pytest.fixture
def start_job(django_capture_on_commit_callbacks):
    """Posts the confirmation form; the job runs when the request's transaction commits."""

    def start(client, action, prospects, **params):
        data = {"action": action, "scope": "selected", "prospect_ids": [p.pk for p in prospects]}
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("prospects:bulk_start"), {**data, **params})
        assert response.status_code == 302, response.content.decode()[:2000]
        return BulkJob.objects.latest("created_at")

    return start


def test_the_confirmation_shows_the_action_and_the_count(manager_client, sandbox):
    prospects = cache(sandbox, 3, status="Not Contacted")

    response = manager_client.post(
        reverse("prospects:bulk_confirm"),
        {"action": "start_cadence", "scope": "selected", "prospect_ids": [p.pk for p in prospects]},
    )

    body = response.content.decode()
    assert response.status_code == 200
    assert "Start cadence" in body
    assert 'data-testid="bulk-count">3<' in body
    assert first_cadence() in body  # the cadence choices come from Klenty


def test_starting_a_cadence_puts_every_selected_prospect_in_it(start_job, manager_client, sandbox):
    prospects = cache(sandbox, 5, status="Not Contacted")
    cadence = first_cadence()

    job = start_job(manager_client, "start_cadence", prospects, cadence_name=cadence)

    job.refresh_from_db()
    assert job.status == BulkJob.Status.DONE
    assert job.items.filter(state=BulkJobItem.State.DONE).count() == 5
    for prospect in prospects:
        state = sandbox.prospect(prospect.email)
        assert state["cadence_status"] == "In Cadence"
        assert any(m["cadence"] == cadence for m in state["memberships"])
        prospect.refresh_from_db()
        assert prospect.cadence_status == "In Cadence"
        assert prospect.cadence_name == cadence


def test_each_item_is_sent_exactly_once(start_job, manager_client, sandbox):
    prospects = cache(sandbox, 4, status="Not Contacted")
    since = sandbox.last_seq()

    start_job(manager_client, "start_cadence", prospects, cadence_name=first_cadence())

    sent = [r for r in sandbox.requests(since) if r["path"].endswith("/startcadence")]
    assert sorted(r["body"]["Email"] for r in sent) == sorted(p.email for p in prospects)


@pytest.mark.parametrize(
    ("action", "filters", "params", "expect"),
    [
        ("stop_cadence", {"cadence_status": "In Cadence"}, {}, {"status": "Manually Stopped"}),
        ("stop_mails", {"cadence_status": "In Cadence"}, {}, {"cadence_status": "Paused"}),
        ("resume_cadence", {"cadence_status": "Paused"}, {}, {"cadence_status": "In Cadence"}),
        ("mark_dnc", {"status": "Not Contacted"}, {}, {"status": "Do Not Contact"}),
        ("revert_dnc", {"status": "Do Not Contact"}, {}, {}),
        (
            "unsubscribe",
            {"status": "Not Contacted"},
            {"confirm_count": 3},
            {"status": "Unsubscribed"},
        ),
        ("add_to_list", {"status": "Not Contacted"}, {"list_name": "Q4 Push"}, {"list": "Q4 Push"}),
        (
            "set_outcome",
            {"status": "Replied"},
            {"outcome": "Interested"},
            {"outcome": "Interested"},
        ),
    ],
)
def test_every_action_changes_klenty_as_documented(
    start_job, manager_client, sandbox, action, filters, params, expect
):
    prospects = cache(sandbox, 3, **filters)

    job = start_job(manager_client, action, prospects, **params)

    assert job.items.filter(state=BulkJobItem.State.DONE).count() == 3, list(
        job.items.values_list("message", flat=True)
    )
    for prospect in prospects:
        state = sandbox.prospect(prospect.email)
        for key, value in expect.items():
            assert state[key] == value
        if action == "revert_dnc":
            assert state["status"] in {"Not Contacted", "Manually Stopped"}


def test_adding_and_removing_tags(start_job, manager_client, sandbox):
    prospects = cache(sandbox, 3, status="Not Contacted")

    start_job(manager_client, "add_tags", prospects, tags="vip, q4-push")
    for prospect in prospects:
        assert {"vip", "q4-push"} <= set(sandbox.prospect(prospect.email)["tags"])
        prospect.refresh_from_db()
        assert {"vip", "q4-push"} <= set(prospect.tags)

    start_job(manager_client, "remove_tags", prospects, tags="vip")
    for prospect in prospects:
        tags = set(sandbox.prospect(prospect.email)["tags"])
        assert "vip" not in tags and "q4-push" in tags


def test_undoing_added_tags_removes_them(
    start_job, django_capture_on_commit_callbacks, manager_client, sandbox
):
    prospects = cache(sandbox, 2, status="Not Contacted")
    job = start_job(manager_client, "add_tags", prospects, tags="webinar-2026")

    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("prospects:job_undo", args=[job.pk]))

    undo = BulkJob.objects.get(undo_of=job)
    assert undo.action == BulkAction.REMOVE_TAGS
    assert undo.status == BulkJob.Status.DONE
    for prospect in prospects:
        assert "webinar-2026" not in sandbox.prospect(prospect.email)["tags"]


def test_undoing_do_not_contact_reverts_it(
    start_job, django_capture_on_commit_callbacks, manager_client, sandbox
):
    prospects = cache(sandbox, 2, status="Not Contacted")
    job = start_job(manager_client, "mark_dnc", prospects)

    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("prospects:job_undo", args=[job.pk]))

    for prospect in prospects:
        assert sandbox.prospect(prospect.email)["status"] == "Not Contacted"


def test_unsubscribe_needs_the_count_typed_and_sends_nothing_otherwise(manager_client, sandbox):
    prospects = cache(sandbox, 3, status="Not Contacted")

    response = manager_client.post(
        reverse("prospects:bulk_start"),
        {
            "action": "unsubscribe",
            "scope": "selected",
            "prospect_ids": [p.pk for p in prospects],
            "confirm_count": "2",
        },
    )

    assert response.status_code == 200
    assert "type 3 to confirm" in response.content.decode()
    assert not BulkJob.objects.exists()
    assert sandbox.prospect(prospects[0].email)["status"] == "Not Contacted"


def test_a_missing_cadence_is_a_field_error(manager_client, sandbox):
    prospects = cache(sandbox, 1, status="Not Contacted")

    response = manager_client.post(
        reverse("prospects:bulk_start"),
        {"action": "start_cadence", "scope": "selected", "prospect_ids": [prospects[0].pk]},
    )

    assert response.status_code == 200
    assert "This action needs it." in response.content.decode()
    assert not BulkJob.objects.exists()


def test_failures_are_kept_per_item_and_only_they_are_retried(
    start_job, manager_client, sandbox, django_capture_on_commit_callbacks
):
    prospects = cache(sandbox, 4, status="Not Contacted")
    # Two attempts per item: the first two items exhaust their retries on 503s.
    sandbox.fail_next(count=4, status=503, path_contains="/startcadence")

    job = start_job(manager_client, "start_cadence", prospects, cadence_name=first_cadence())

    failed = list(job.items.filter(state=BulkJobItem.State.FAILED))
    assert len(failed) == 2
    assert "not answering" in failed[0].message
    since = sandbox.last_seq()

    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("prospects:job_retry", args=[job.pk]))

    job.refresh_from_db()
    assert job.status == BulkJob.Status.DONE
    assert job.items.filter(state=BulkJobItem.State.DONE).count() == 4
    resent = [
        r["body"]["Email"] for r in sandbox.requests(since) if r["path"].endswith("/startcadence")
    ]
    assert sorted(resent) == sorted(item.email for item in failed)


def test_a_cancelled_job_sends_nothing_more(
    manager_user, sandbox, django_capture_on_commit_callbacks
):
    prospects = cache(sandbox, 3, status="Not Contacted")
    with django_capture_on_commit_callbacks(execute=False):
        job = bulk.create_job(
            user=manager_user,
            action=BulkAction.MARK_DNC,
            params={},
            prospect_ids=[p.pk for p in prospects],
        )
    since = sandbox.last_seq()

    bulk.cancel_job(job)
    background.run("bulk_job", job.pk)

    job.refresh_from_db()
    assert job.status == BulkJob.Status.CANCELLED
    assert job.items.filter(state=BulkJobItem.State.CANCELLED).count() == 3
    assert sandbox.requests(since) == []


def test_after_a_worker_dies_mid_item_nothing_is_sent_twice(
    manager_user, sandbox, django_capture_on_commit_callbacks
):
    prospects = cache(sandbox, 3, status="Not Contacted")
    cadence = first_cadence()
    with django_capture_on_commit_callbacks(execute=False):
        job = bulk.create_job(
            user=manager_user,
            action=BulkAction.START_CADENCE,
            params={"cadence_name": cadence},
            prospect_ids=[p.pk for p in prospects],
        )
    applied, lost, untouched = job.items.order_by("pk")
    # The dead worker had sent the first item (Klenty applied it) and claimed the
    # second without its request ever arriving; its lease has lapsed.
    KlentyClient.from_settings().start_cadence(applied.email, cadence)
    job.items.filter(pk__in=[applied.pk, lost.pk]).update(state=BulkJobItem.State.SENDING)
    BulkJob.objects.filter(pk=job.pk).update(
        status=BulkJob.Status.RUNNING, lease_until=timezone.now() - timedelta(seconds=1)
    )
    since = sandbox.last_seq()

    assert background.resume_stalled() == 1

    job.refresh_from_db()
    assert job.status == BulkJob.Status.DONE
    sent = [
        r["body"]["Email"] for r in sandbox.requests(since) if r["path"].endswith("/startcadence")
    ]
    assert sorted(sent) == sorted([lost.email, untouched.email])
    applied.refresh_from_db()
    assert applied.state == BulkJobItem.State.DONE
    assert "Confirmed with Klenty" in applied.message


def test_a_live_lease_keeps_a_second_runner_out(
    manager_user, sandbox, django_capture_on_commit_callbacks
):
    prospects = cache(sandbox, 1, status="Not Contacted")
    with django_capture_on_commit_callbacks(execute=False):
        job = bulk.create_job(
            user=manager_user, action=BulkAction.MARK_DNC, params={}, prospect_ids=[prospects[0].pk]
        )
    BulkJob.objects.filter(pk=job.pk).update(
        status=BulkJob.Status.RUNNING, lease_until=timezone.now() + timedelta(minutes=5)
    )

    assert background.run("bulk_job", job.pk).startswith("not claimed")
    assert job.items.get().state == BulkJobItem.State.PENDING


def test_a_rep_cannot_queue_work_on_another_reps_prospects(rep_client, rep_user, sandbox):
    theirs = cache(sandbox, 2, owner="diego.alvarez@northwind.example", status="Not Contacted")

    response = rep_client.post(
        reverse("prospects:bulk_confirm"),
        {"action": "mark_dnc", "scope": "selected", "prospect_ids": [p.pk for p in theirs]},
    )

    assert response.status_code == 302
    assert not BulkJob.objects.exists()
    response = rep_client.post(
        reverse("prospects:bulk_start"),
        {"action": "mark_dnc", "scope": "selected", "prospect_ids": [p.pk for p in theirs]},
    )
    assert response.status_code == 302
    assert not BulkJob.objects.exists()
    assert sandbox.prospect(theirs[0].email)["status"] == "Not Contacted"


def test_a_rep_acts_on_their_own_prospects(start_job, rep_client, sandbox):
    mine = cache(sandbox, 2, owner="priya.natarajan@northwind.example", status="Not Contacted")

    job = start_job(rep_client, "add_tags", mine, tags="follow-up")

    assert job.items.filter(state=BulkJobItem.State.DONE).count() == 2


def test_ownership_is_checked_again_when_each_item_runs(
    rep_user, sandbox, django_capture_on_commit_callbacks
):
    mine = cache(sandbox, 2, owner="priya.natarajan@northwind.example", status="Not Contacted")
    with django_capture_on_commit_callbacks(execute=False):
        job = bulk.create_job(
            user=rep_user, action=BulkAction.MARK_DNC, params={}, prospect_ids=[p.pk for p in mine]
        )
    Prospect.objects.filter(pk=mine[0].pk).update(owner_email="diego.alvarez@northwind.example")

    background.run("bulk_job", job.pk)

    refused = job.items.get(prospect=mine[0])
    assert refused.state == BulkJobItem.State.FAILED
    assert "Not your prospect" in refused.message
    assert sandbox.prospect(mine[0].email)["status"] == "Not Contacted"


def test_a_rep_cannot_see_another_users_job(rep_client, manager_user, sandbox):
    prospects = cache(sandbox, 1, status="Not Contacted")
    job = bulk.create_job(
        user=manager_user, action=BulkAction.MARK_DNC, params={}, prospect_ids=[prospects[0].pk]
    )

    assert rep_client.get(reverse("prospects:job", args=[job.pk])).status_code == 404
    assert rep_client.get(reverse("prospects:job_progress", args=[job.pk])).status_code == 404
    assert rep_client.post(reverse("prospects:job_cancel", args=[job.pk])).status_code == 404


def test_the_progress_fragment_stops_polling_when_the_job_is_finished(
    start_job, manager_client, sandbox
):
    prospects = cache(sandbox, 2, status="Not Contacted")
    job = start_job(manager_client, "mark_dnc", prospects)

    response = manager_client.get(
        reverse("prospects:job_progress", args=[job.pk]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 286
    body = response.content.decode()
    assert 'data-testid="job-percent">100%<' in body
    assert "hx-trigger" not in body


def test_the_job_page_query_count_does_not_grow_with_items(
    start_job, manager_client, sandbox, django_assert_max_num_queries
):
    small = start_job(manager_client, "add_tags", cache(sandbox, 2, status="Replied"), tags="x")
    big = start_job(
        manager_client, "add_tags", cache(sandbox, 20, status="Not Contacted"), tags="x"
    )

    for job in (small, big):
        with django_assert_max_num_queries(12):
            manager_client.get(reverse("prospects:job", args=[job.pk]))


def test_the_results_csv_lists_every_item(start_job, manager_client, sandbox):
    prospects = cache(sandbox, 3, status="Not Contacted")
    job = start_job(manager_client, "mark_dnc", prospects)

    response = manager_client.get(reverse("prospects:job_results", args=[job.pk]))

    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == "email,outcome,message"
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(p.email for p in prospects)
