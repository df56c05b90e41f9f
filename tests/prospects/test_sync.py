"""The prospect sync against the sandbox over real HTTP, with a real database."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from klentyadmin.core import background
from klentyadmin.integrations.errors import ApiNotFound
from klentyadmin.integrations.klenty import KlentyClient, ProspectFields
from klentyadmin.integrations.klenty import Prospect as KlentyProspect
from prospects import sync
from prospects.models import Prospect, ProspectList, SyncRun

pytestmark = pytest.mark.django_db


@pytest.fixture
def klenty(sandbox, settings):
    """The sandbox without a rate limit, a fast client, and a small status budget."""
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100000
    settings.API_BACKOFF_BASE = 0.01
    settings.API_BACKOFF_CAP = 0.05
    settings.KLENTY_SYNC_HISTORY_DAYS = 185  # the sandbox seeds 180 days of prospects
    settings.KLENTY_SYNC_STATUS_CHECKS = 20
    sandbox.configure(rate_limit_per_min=0)
    return sandbox


def full_sync() -> SyncRun:
    return sync.run_sync("full", slice_seconds=None)


def incremental_sync() -> SyncRun:
    return sync.run_sync("incremental", slice_seconds=None)


def test_a_full_sync_caches_every_prospect_of_every_list(klenty):
    stats = klenty.stats()

    run = full_sync()

    assert run.status == SyncRun.Status.DONE, run.errors
    assert Prospect.objects.count() == stats["prospects"]
    assert ProspectList.objects.count() == stats["lists"]
    assert ProspectList.objects.filter(klenty_id__isnull=True).count() == 0
    assert (run.seen, run.created, run.updated, run.moved) == (stats["prospects"],) * 2 + (0, 0)
    assert run.lists_done == run.lists_total == stats["lists"]
    assert run.cursor == {} and run.finished_at and run.lease_until is None


def test_a_full_sync_maps_every_field_the_answers_carry(klenty):
    tagged = klenty.find_prospects(limit=50)
    full_sync()

    for summary in tagged:
        expected = klenty.prospect(summary["email"])
        cached = Prospect.objects.select_related("prospect_list").get(email=summary["email"])
        assert cached.klenty_id == expected["id"]
        assert cached.tags == expected["tags"]
        assert cached.owner_email == expected["owner"]
        assert cached.prospect_list.name == expected["list"]
        assert cached.prospect_list.klenty_id == expected["list_id"]
        assert cached.first_name == expected["fields"].get("FirstName", "")
        assert cached.title == expected["fields"].get("Title", "")
        assert cached.city == expected["fields"].get("City", "")
        assert cached.created_on == date.fromisoformat(expected["created"][:10])
        assert cached.search_text and cached.email in cached.search_text
        if cached.tags:
            assert cached.tags_text == "|" + "|".join(cached.tags) + "|"


def test_statuses_and_custom_fields_come_from_per_prospect_calls_within_the_budget(klenty):
    run = full_sync()

    checked = Prospect.objects.filter(status_checked_at__isnull=False)
    # Never-checked prospects cost two calls (status, then custom fields).
    assert checked.count() == 10
    for prospect in checked:
        expected = klenty.prospect(prospect.email)
        assert prospect.prospect_status == expected["status"]
        assert prospect.cadence_status == expected["cadence_status"]
        assert prospect.custom_fields == expected["custom_fields"]
    assert run.status == SyncRun.Status.DONE


def test_running_a_full_sync_again_creates_and_changes_nothing(klenty, settings):
    settings.KLENTY_SYNC_STATUS_CHECKS = 0  # each run's checks would fill in new custom fields
    full_sync()
    before = dict(Prospect.objects.values_list("email", "tags_text"))

    second = full_sync()

    assert second.status == SyncRun.Status.DONE
    assert (second.created, second.updated, second.moved) == (0, 0, 0)
    assert dict(Prospect.objects.values_list("email", "tags_text")) == before


def test_an_incremental_sync_picks_up_a_prospect_changed_in_klenty(klenty, settings):
    full_sync()
    # As if every status had been read yesterday.
    yesterday = timezone.now() - timedelta(days=1)
    Prospect.objects.update(status_checked_at=yesterday, prospect_status="(stale)")
    email = klenty.find_prospects(status="Not Contacted", limit=1)[0]["email"]
    client = KlentyClient.from_settings()
    client.update_prospect(email, ProspectFields(title="Chief Sandbox Officer", tags=["synced"]))
    client.mark_do_not_contact(email)
    updated_today = len(client.get_prospects_updated_since(timezone.localdate()))
    # Enough for every prospect updated today: a status and a details call each.
    settings.KLENTY_SYNC_STATUS_CHECKS = 2 * updated_today

    run = incremental_sync()

    assert run.kind == SyncRun.Kind.INCREMENTAL and run.status == SyncRun.Status.DONE
    assert run.updated >= 1 and run.created == 0
    prospect = Prospect.objects.get(email=email)
    assert prospect.title == "Chief Sandbox Officer"
    assert "synced" in prospect.tags
    assert prospect.updated_on == timezone.localdate()
    assert prospect.prospect_status == "Do Not Contact"
    assert prospect.status_checked_at > yesterday
    # Prospects Klenty did not change today keep their (stale) status until their turn.
    assert Prospect.objects.filter(updated_on__isnull=True, prospect_status="(stale)").exists()


def test_an_incremental_sync_rereads_a_status_read_before_a_change_that_day(klenty, settings):
    klenty.reset(prospects=300)
    klenty.configure(rate_limit_per_min=0)  # a reset restores the sandbox's limit
    settings.KLENTY_SYNC_STATUS_CHECKS = 2 * 300 + 10
    full_sync()  # reads every status, today
    email = klenty.find_prospects(status="Not Contacted", limit=1)[0]["email"]
    KlentyClient.from_settings().mark_do_not_contact(email)

    run = incremental_sync()

    assert (run.kind, run.status) == (SyncRun.Kind.INCREMENTAL, SyncRun.Status.DONE)
    prospect = Prospect.objects.get(email=email)
    assert prospect.prospect_status == "Do Not Contact"
    # The next run knows this status was read after the change: it is not read again.
    incremental_sync()
    assert Prospect.objects.get(email=email).status_checked_at == prospect.status_checked_at


def test_an_incremental_sync_learns_the_creation_day_of_a_new_prospect(klenty):
    full_sync()
    client = KlentyClient.from_settings()
    client.create_prospect(ProspectFields(email="nova@example.com", first_name="Nova"))

    run = incremental_sync()

    assert run.created == 1
    assert Prospect.objects.get(email="nova@example.com").created_on == timezone.localdate()


def test_a_prospect_moved_to_another_list_is_counted_as_moved(klenty):
    full_sync()
    summary = klenty.find_prospects(list="Cold Outbound", limit=1)[0]
    KlentyClient.from_settings().update_prospect(
        summary["email"], ProspectFields(list_name="Partner Referrals")
    )

    run = full_sync()

    assert run.moved == 1
    prospect = Prospect.objects.get(email=summary["email"])
    assert prospect.prospect_list.name == "Partner Referrals"
    assert incremental_sync().moved == 0


def test_an_incremental_sync_without_a_previous_sync_is_a_full_one(klenty):
    run = incremental_sync()

    assert run.kind == SyncRun.Kind.FULL
    assert Prospect.objects.count() == klenty.stats()["prospects"]


def arm_fault_at(monkeypatch, klenty, *, list_name: str, page: int, count: int):
    """Makes Klenty answer 503 from that list's page on (real HTTP faults, real retries)."""
    original = KlentyClient.get_prospects_in_list
    armed = []

    def get_prospects_in_list(self, name, page=1, limit=1000):
        if not armed and (name, page) == (list_name, failing_page):
            armed.append(True)
            klenty.fail_next(count=count, status=503, path_contains="/prospects")
        return original(self, name, page=page, limit=limit)

    failing_page = page
    monkeypatch.setattr(KlentyClient, "get_prospects_in_list", get_prospects_in_list)


def test_a_sync_that_fails_keeps_its_cursor_and_the_next_run_resumes_there(
    klenty, monkeypatch, settings
):
    settings.API_MAX_ATTEMPTS = 2
    names = [item.name for item in KlentyClient.from_settings().get_lists()]
    arm_fault_at(monkeypatch, klenty, list_name=names[3], page=1, count=2)

    failed = full_sync()

    assert failed.status == SyncRun.Status.FAILED
    assert "not answering" in failed.errors
    assert failed.cursor["phase"] == "pages" and failed.cursor["list"] == 3
    assert failed.lists_done == 3
    seq = klenty.last_seq()

    resumed = full_sync()

    assert resumed.pk == failed.pk
    assert resumed.status == SyncRun.Status.DONE
    first = next(r for r in klenty.requests(since=seq) if "listName" in r["query"])
    assert first["query"]["listName"] == failed.cursor["lists"][3]
    assert first["query"]["start"] == "1"
    assert not any(
        r["query"].get("listName") == failed.cursor["lists"][0] for r in klenty.requests(since=seq)
    )
    assert Prospect.objects.count() == klenty.stats()["prospects"]
    assert resumed.created == klenty.stats()["prospects"]


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing in the sync catches it."""


def full_sync_killed_after_three_pages(monkeypatch) -> SyncRun:
    """A full sync whose worker dies as it asks for the fourth list page; the run it left."""
    original = KlentyClient.get_prospects_in_list
    calls = {"n": 0}

    def dies_after_three_pages(self, list_name, page=1, limit=1000):
        calls["n"] += 1
        if calls["n"] == 4:
            raise WorkerKilled
        return original(self, list_name, page=page, limit=limit)

    monkeypatch.setattr(KlentyClient, "get_prospects_in_list", dies_after_three_pages)
    with pytest.raises(WorkerKilled):
        full_sync()
    return SyncRun.objects.get()


def test_a_run_whose_worker_died_is_resumed_by_the_scheduled_sync(klenty, monkeypatch):
    stalled = full_sync_killed_after_three_pages(monkeypatch)
    assert stalled.status == SyncRun.Status.RUNNING
    cursor = stalled.cursor
    # Its lease is still live: nobody else may take the run over yet.
    assert sync.scheduled_sync() == "a sync is already running"
    SyncRun.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    seq = klenty.last_seq()

    message = sync.scheduled_sync()

    assert message == f"resumed sync run {stalled.pk}: done"
    first = next(r for r in klenty.requests(since=seq) if "listName" in r["query"])
    assert first["query"]["listName"] == cursor["lists"][cursor["list"]]
    assert first["query"]["start"] == str(cursor["page"])
    assert Prospect.objects.count() == klenty.stats()["prospects"]
    assert SyncRun.objects.count() == 1


def test_the_one_resume_schedule_finishes_a_sync_whose_worker_died(klenty, monkeypatch):
    stalled = full_sync_killed_after_three_pages(monkeypatch)
    cursor = stalled.cursor
    assert background.resume_stalled() == 0, "its lease is live: nobody may take it over yet"
    SyncRun.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    seq = klenty.last_seq()

    assert background.resume_stalled() == 1

    stalled.refresh_from_db()
    assert stalled.status == SyncRun.Status.DONE and stalled.cursor == {}
    lists = [r["query"]["listName"] for r in klenty.requests(since=seq) if "listName" in r["query"]]
    # On from the page the dead runner was reading; no list it had written read again.
    assert lists[0] == cursor["lists"][cursor["list"]]
    assert not set(cursor["lists"][: cursor["list"]]) & set(lists)
    assert Prospect.objects.count() == klenty.stats()["prospects"]
    assert SyncRun.objects.count() == 1


def test_a_failed_sync_reads_as_one_line_saying_why_and_that_it_resumes(
    klenty, monkeypatch, settings
):
    settings.API_MAX_ATTEMPTS = 2
    names = [item.name for item in KlentyClient.from_settings().get_lists()]
    arm_fault_at(monkeypatch, klenty, list_name=names[3], page=1, count=2)

    failed = full_sync()

    line = background.get("prospect_sync").failure_line(failed)
    assert line.startswith(f"The full prospect sync {failed.pk} stopped: ")
    assert "not answering" in line and line.endswith("The next sync resumes it where it stopped.")
    assert "Traceback" not in line


def test_a_sync_queued_while_another_runs_is_cancelled_without_reading_klenty(klenty):
    SyncRun.objects.create(kind="full", status="done", started_at=timezone.now() - timedelta(1))
    live = SyncRun.objects.create(
        kind="full", cursor={"phase": "lists"}, lease_until=timezone.now() + timedelta(minutes=5)
    )
    queued = sync.start_or_resume("incremental")
    seq = klenty.last_seq()

    background.run("prospect_sync", queued.pk)

    queued.refresh_from_db()
    assert (queued.status, queued.cursor) == (SyncRun.Status.CANCELLED, {})
    assert queued.error == sync.ANOTHER_SYNC
    assert klenty.requests(since=seq) == []
    live.refresh_from_db()
    assert live.status == SyncRun.Status.RUNNING


def test_a_sync_survives_klenty_answering_503_to_a_fifth_of_the_calls(klenty, settings):
    settings.API_MAX_ATTEMPTS = 8
    klenty.configure(fault_rate=0.2, fault_status=503)

    run = full_sync()
    for _ in range(3):  # a very unlucky streak fails the run; the next one resumes it
        if run.status == SyncRun.Status.DONE:
            break
        run = full_sync()

    assert run.status == SyncRun.Status.DONE
    klenty.configure(fault_rate=0)
    assert Prospect.objects.count() == klenty.stats()["prospects"]
    assert Prospect.objects.filter(prospect_list__isnull=True).count() == 0


def test_a_slice_that_runs_out_of_time_queues_its_continuation(klenty):
    klenty.reset(prospects=300)

    run = sync.run_sync("full", slice_seconds=1e-9)  # out of time at once

    # django-q2 runs the queued continuation inline in tests.
    run.refresh_from_db()
    assert run.status == SyncRun.Status.DONE
    assert SyncRun.objects.count() == 1
    assert Prospect.objects.count() == 300


def test_a_prospect_klenty_will_not_answer_for_does_not_fail_the_run(klenty, monkeypatch):
    klenty.reset(prospects=300)
    original = KlentyClient.get_prospect_status
    refused = []

    def get_prospect_status(self, email):
        if not refused:
            refused.append(email)
            raise ApiNotFound("gone", service="klenty")
        return original(self, email)

    monkeypatch.setattr(KlentyClient, "get_prospect_status", get_prospect_status)

    run = full_sync()

    assert run.status == SyncRun.Status.DONE
    gone = Prospect.objects.get(email=refused[0])
    assert gone.status_checked_at is not None and gone.prospect_status == ""
    assert Prospect.objects.filter(status_checked_at__isnull=False).count() == 10


def fake_page(n: int, prefix: str, list_id: str = "L1") -> list[KlentyProspect]:
    return [
        KlentyProspect(
            id=f"{prefix}{i}",
            email=f"{prefix}{i}@example.com",
            first_name="Ada",
            last_name=f"Lovelace {i}",
            company="Analytical",
            tags=["a", "b"],
            list_id=list_id,
            list_name=f"List {list_id}",
            owner="owner@example.com",
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("size", [100, 1000])
def test_upserting_a_page_takes_a_constant_number_of_queries(size, django_assert_max_num_queries):
    ProspectList.objects.create(klenty_id="L1", name="List L1")
    ProspectList.objects.create(klenty_id="L2", name="List L2")
    lists = sync.ListIndex()

    with django_assert_max_num_queries(6):
        counts = sync.upsert_page(fake_page(size, "p"), fields=sync.LIST_FIELDS, lists=lists)
    assert counts.created == size

    # Every row changes list: the read, one executemany of UPDATEs, the last_synced_at touch.
    with django_assert_max_num_queries(4):
        counts = sync.upsert_page(fake_page(size, "p", "L2"), fields=sync.LIST_FIELDS, lists=lists)
    assert (counts.updated, counts.moved) == (size, size)

    with django_assert_max_num_queries(3):
        counts = sync.upsert_page(fake_page(size, "p", "L2"), fields=sync.LIST_FIELDS, lists=lists)
    assert (counts.created, counts.updated) == (0, 0)


def test_the_command_runs_a_sync_and_prints_its_figures(klenty, capsys):
    call_command("sync_klenty", "--full")

    out = capsys.readouterr().out
    stats = klenty.stats()
    assert f"seen {stats['prospects']}, created {stats['prospects']}" in out
    assert "Done" in out


# -- the pages ------------------------------------------------------------------


def test_anyone_signed_in_sees_the_sync_status(rep_client):
    SyncRun.objects.create(kind="full", status="done", seen=12, created=12)

    response = rep_client.get(reverse("prospects:sync_status"))

    assert response.status_code == 200
    assert b"Prospect sync" in response.content
    assert b"Sync now" not in response.content


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get(reverse("prospects:sync_status"))

    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_the_status_partial_polls_while_a_sync_runs(manager_client):
    SyncRun.objects.create(
        kind="full",
        cursor={"phase": "pages", "lists": ["A", "B"], "list": 1, "page": 2},
        lists_total=2,
        lists_done=1,
        seen=1500,
        lease_until=timezone.now() + timedelta(minutes=5),
    )

    response = manager_client.get(reverse("prospects:sync_status"), headers={"HX-Request": "true"})

    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body
    assert 'hx-trigger="every 2s"' in body
    assert "List 2 of 2 (B), page 2" in body
    assert "1,500 prospects seen" in body


def test_a_running_sync_shows_the_one_progress_partial_counting_its_reads(manager_client, settings):
    settings.KLENTY_SYNC_HISTORY_DAYS = 9
    settings.KLENTY_SYNC_STATUS_CHECKS = 10
    SyncRun.objects.create(
        kind="full",
        cursor={"phase": "pages", "lists": ["A", "B"], "list": 1, "page": 1},
        lists_total=2,
        lease_until=timezone.now() + timedelta(minutes=5),
    )

    response = manager_client.get(reverse("prospects:sync_status"), headers={"HX-Request": "true"})

    body = response.content.decode()
    # Read: the lists, ten days (nine back and today), one list of two: 12 of 1 + 10 + 2 + 10.
    assert 'data-testid="sync-reads">12<' in body
    assert 'data-testid="sync-remaining">11<' in body
    assert 'data-testid="sync-percent">52%<' in body


def test_the_status_partial_stops_polling_when_the_sync_is_done(manager_client):
    SyncRun.objects.create(kind="full", status="done", finished_at=timezone.now(), seen=7)

    response = manager_client.get(
        reverse("prospects:sync_status") + "?polling=1", headers={"HX-Request": "true"}
    )

    assert response.status_code == 286
    assert "every 2s" not in response.content.decode()


def test_a_stalled_sync_says_so_and_can_be_started_again(manager_client):
    SyncRun.objects.create(kind="full", cursor={"phase": "lists"}, lease_until=None)

    response = manager_client.get(reverse("prospects:sync_status"))

    body = response.content.decode()
    assert "Its worker stopped" in body
    assert "Sync now" in body


def test_a_rep_cannot_start_a_sync(rep_client):
    response = rep_client.post(reverse("prospects:sync_start"), {"kind": "full"})

    assert response.status_code == 403
    assert not SyncRun.objects.exists()


def test_a_manager_starts_a_sync_that_runs_after_the_commit(
    manager_client, manager_user, klenty, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(reverse("prospects:sync_start"), {"kind": "full"})

    assert response.status_code == 302
    assert response["Location"] == reverse("prospects:sync_status")
    run = SyncRun.objects.get()
    assert run.kind == "full" and run.triggered_by == manager_user
    assert run.status == SyncRun.Status.DONE
    assert Prospect.objects.count() == klenty.stats()["prospects"]


def test_an_htmx_start_answers_with_a_client_redirect(manager_client, monkeypatch):
    queued = []
    monkeypatch.setattr(sync, "queue_sync", lambda kind, user: queued.append(kind))

    response = manager_client.post(
        reverse("prospects:sync_start"), {"kind": "incremental"}, headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    assert response["HX-Redirect"] == reverse("prospects:sync_status")
    assert queued == ["incremental"]


def test_an_unexpected_error_is_recorded_in_words_not_as_a_python_repr(klenty, monkeypatch):
    def breaks(self, list_name, page=1, limit=1000):
        raise KeyError("listName")

    monkeypatch.setattr(KlentyClient, "get_prospects_in_list", breaks)
    with pytest.raises(KeyError):
        full_sync()

    errors = SyncRun.objects.get().errors
    assert "Internal error: a value it needed ('listName') was missing" in errors
    assert "KeyError(" not in errors
