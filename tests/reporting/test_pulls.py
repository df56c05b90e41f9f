"""The report pulls against the sandbox over real HTTP, with a real database."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.management import call_command

from klentyadmin.integrations.klenty import KlentyClient
from reporting import pulls
from reporting.models import Call, EngagementDay, PullRun, StepRow, StepSnapshot

pytestmark = pytest.mark.django_db


def requests_to(sandbox, since: int, fragment: str) -> list[dict]:
    return [r for r in sandbox.requests(since) if fragment in r["path"]]


def test_engagement_is_stored_one_row_per_cadence_and_day(klenty):
    run = pulls.run_pull(PullRun.Kind.ENGAGEMENT)

    cadences = KlentyClient.from_settings().get_company_cadences()
    today = pulls.today()
    assert run.status == PullRun.Status.DONE, run.errors
    assert EngagementDay.objects.count() == len(cadences) * 14 == run.rows
    assert set(EngagementDay.objects.values_list("day", flat=True)) == {
        today - timedelta(days=n) for n in range(14)
    }
    # Each row holds exactly what Klenty answers for that one day.
    client = KlentyClient.from_settings()
    for cadence in cadences[:3]:
        day = today - timedelta(days=3)
        answer = client.get_email_engagement(cadence.name, day, day)
        row = EngagementDay.objects.get(cadence_name=cadence.name, day=day)
        assert (row.opens, row.clicks, row.replies, row.prospects_added, row.bounces) == (
            answer.open_count,
            answer.link_count,
            answer.reply_count,
            answer.prospects_added,
            answer.bounce_count,
        )
        assert row.cadence_id == cadence.id


def test_each_engagement_request_asks_for_one_day(klenty):
    since = klenty.last_seq()
    pulls.run_pull(PullRun.Kind.ENGAGEMENT)

    bodies = [r["body"] for r in requests_to(klenty, since, "/emailEngagements")]
    assert bodies and all(b["startDate"] == b["endDate"] for b in bodies)


def test_a_second_run_adds_no_rows_and_only_asks_for_the_recent_days(klenty):
    pulls.run_pull(PullRun.Kind.ENGAGEMENT)
    before = EngagementDay.objects.count()

    since = klenty.last_seq()
    again = pulls.run_pull(PullRun.Kind.ENGAGEMENT)

    cadences = len(KlentyClient.from_settings().get_company_cadences())
    assert EngagementDay.objects.count() == before
    # REPORTS_REFRESH_DAYS = 2: today and yesterday, per cadence.
    assert len(requests_to(klenty, since, "/emailEngagements")) == cadences * 2
    assert again.rows == cadences * 2


def test_a_missing_day_is_filled_in_by_the_next_run(klenty):
    pulls.run_pull(PullRun.Kind.ENGAGEMENT)
    gap = pulls.today() - timedelta(days=9)
    EngagementDay.objects.filter(day=gap).delete()

    pulls.run_pull(PullRun.Kind.ENGAGEMENT)

    assert EngagementDay.objects.filter(day=gap).count() == len(
        KlentyClient.from_settings().get_company_cadences()
    )


def test_k2003_for_a_day_is_stored_as_no_data_not_an_error(klenty, settings):
    settings.REPORTS_BACKFILL_DAYS = 2
    klenty.fail_next(count=1, status=404, path_contains="/emailEngagements")

    run = pulls.run_pull(PullRun.Kind.ENGAGEMENT)

    assert run.status == PullRun.Status.DONE
    assert run.errors == ""
    zeros = [
        r
        for r in EngagementDay.objects.all()
        if not any(getattr(r, m) for m in EngagementDay.METRICS)
    ]
    assert len(zeros) >= 1


def test_engagement_pull_survives_sandbox_503s(klenty):
    klenty.configure(fault_rate=0.2, fault_status=503)

    run = pulls.run_pull(PullRun.Kind.ENGAGEMENT)

    klenty.configure(fault_rate=0)
    cadences = len(KlentyClient.from_settings().get_company_cadences())
    assert run.status == PullRun.Status.DONE, run.errors
    assert EngagementDay.objects.count() == cadences * 14


def test_a_failure_after_retries_is_recorded_and_the_next_run_fills_it_in(klenty, settings):
    settings.API_MAX_ATTEMPTS = 2
    klenty.fail_next(count=2, status=503, path_contains="/emailEngagements")

    run = pulls.run_pull(PullRun.Kind.ENGAGEMENT)

    assert run.status == PullRun.Status.PARTIAL
    assert "not answering" in run.errors
    assert run.finished_at is not None
    pulls.run_pull(PullRun.Kind.ENGAGEMENT)
    cadences = len(KlentyClient.from_settings().get_company_cadences())
    assert EngagementDay.objects.count() == cadences * 14


def test_stepwise_snapshots_keep_each_steps_ab_options(klenty):
    run = pulls.run_pull(PullRun.Kind.STEPWISE)

    assert run.status == PullRun.Status.DONE, run.errors
    cadences = KlentyClient.from_settings().get_company_cadences()
    assert StepSnapshot.objects.count() == len(cadences)
    # The sandbox gives about a third of its mail steps two options.
    assert StepRow.objects.filter(option=2).exists()
    snapshot = StepSnapshot.objects.get(cadence_name=cadences[0].name)
    answer = KlentyClient.from_settings().get_stepwise_engagement(
        snapshot.cadence_name, snapshot.range_start, snapshot.range_end
    )
    steps = {r.step_number: r for r in snapshot.rows.filter(option=0)}
    assert {s.step_number: s.mail_count for s in answer} == {n: r.mails for n, r in steps.items()}
    assert sum(len(s.options) for s in answer) == snapshot.rows.exclude(option=0).count()


def test_stepwise_run_twice_on_one_day_replaces_the_snapshot(klenty):
    pulls.run_pull(PullRun.Kind.STEPWISE)
    rows = StepRow.objects.count()

    pulls.run_pull(PullRun.Kind.STEPWISE)

    assert StepRow.objects.count() == rows
    assert StepSnapshot.objects.count() == len(KlentyClient.from_settings().get_company_cadences())


def test_calls_are_paged_until_has_more_is_false_and_stored_once(klenty):
    since = klenty.last_seq()
    run = pulls.run_pull(PullRun.Kind.CALLS)

    stats = klenty.stats()
    assert run.status == PullRun.Status.DONE, run.errors
    assert Call.objects.count() == stats["calls"]
    for member, count in stats["calls_by_member"].items():
        assert Call.objects.filter(username=member).count() == count
    asked = requests_to(klenty, since, "/calls")
    pages = {(r["path"], r["query"]["page"]) for r in asked}
    # 20-odd calls a weekday for 30 days: every member needs more than one page of 200.
    assert any(page == "1" for _, page in pages)
    assert len(pages) == len(asked)

    again = pulls.run_pull(PullRun.Kind.CALLS)

    assert Call.objects.count() == stats["calls"]
    assert again.rows > 0  # today's calls, read again and updated in place


def test_calls_are_never_asked_for_further_back_than_29_days(klenty):
    from datetime import date

    today = pulls.today()
    since = klenty.last_seq()
    pulls.run_pull(PullRun.Kind.CALLS)
    # Stored history older than Klenty's window does not move the start back.
    Call.objects.update(called_on=today - timedelta(days=90))
    pulls.run_pull(PullRun.Kind.CALLS)

    for request in requests_to(klenty, since, "/calls"):
        start = date.fromisoformat(request["query"]["startDate"])
        end = date.fromisoformat(request["query"]["endDate"])
        assert today - timedelta(days=29) <= start < end <= today + timedelta(days=1)
        assert request["status"] == 200


def test_a_later_calls_run_starts_from_the_newest_stored_day(klenty):
    from django.db.models import Max

    pulls.run_pull(PullRun.Kind.CALLS)
    # Each member's newest call: today or yesterday on a weekday, Friday on a Sunday.
    newest = {
        row["username"]: row["newest"].isoformat()
        for row in Call.objects.values("username").annotate(newest=Max("called_on"))
    }
    since = klenty.last_seq()

    pulls.run_pull(PullRun.Kind.CALLS)

    calls = requests_to(klenty, since, "/calls")
    assert calls
    starts = {r["query"]["startDate"] for r in calls}
    assert starts == set(newest.values())
    assert min(starts) >= (pulls.today() - timedelta(days=4)).isoformat()


def test_calls_history_outlives_klentys_window(klenty):
    Call.objects.create(
        call_sid="CA-old",
        username="priya.natarajan@northwind.example",
        called_on=pulls.today() - timedelta(days=200),
    )

    pulls.run_pull(PullRun.Kind.CALLS)

    assert Call.objects.filter(call_sid="CA-old").exists()


def test_k2003_for_an_empty_call_range_is_no_calls(klenty):
    klenty.fail_next(count=1, status=404, path_contains="/calls")

    run = pulls.run_pull(PullRun.Kind.CALLS)

    assert run.status == PullRun.Status.DONE
    assert run.errors == ""


def test_calls_pull_survives_sandbox_503s(klenty):
    klenty.fail_next(count=3, status=503, path_contains="/calls")

    run = pulls.run_pull(PullRun.Kind.CALLS)

    assert run.status == PullRun.Status.DONE, run.errors
    assert Call.objects.count() == klenty.stats()["calls"]


def test_refresh_reports_runs_every_pull_and_records_each_run(klenty, capsys):
    call_command("refresh_reports")

    out = capsys.readouterr().out
    assert "Email engagement: Done" in out
    assert "Calls: Done" in out
    runs = {run.kind: run for run in PullRun.objects.all()}
    assert set(runs) == set(PullRun.Kind.values)
    for run in runs.values():
        assert run.finished_at >= run.started_at
        assert run.rows > 0
        assert run.requests > 0


def test_an_engagement_run_out_of_time_continues_in_a_new_task(klenty, monkeypatch):
    from itertools import chain, repeat

    from klentyadmin.core import background

    # The first task has no time at all: it stops before its first step and queues its
    # continuation, which django-q2 runs inline in tests and which finishes the run.
    budgets = chain([1e-9], repeat(240))
    kind = background.get(pulls.KIND)
    monkeypatch.setattr(type(kind), "slice_seconds", property(lambda _: next(budgets)))
    run = pulls.start_run(PullRun.Kind.ENGAGEMENT)

    assert background.run(pulls.KIND, run.pk) == "continued in a new task"

    run.refresh_from_db()
    assert run.status == PullRun.Status.DONE
    assert run.rows == EngagementDay.objects.count() == run.total > 0


def test_calls_pull_keeps_the_daily_rollup_in_step_with_the_calls(klenty):
    from collections import Counter

    from django.db.models import Sum

    from reporting.models import CallDay

    pulls.run_pull(PullRun.Kind.CALLS)
    pulls.run_pull(PullRun.Kind.CALLS)

    assert CallDay.objects.aggregate(n=Sum("calls"))["n"] == Call.objects.count()
    stored = Counter((c.called_on, c.username, c.disposition) for c in Call.objects.all())
    rolled = Counter()
    for row in CallDay.objects.all():
        rolled[(row.day, row.username, row.disposition)] += row.calls
    assert rolled == stored


def test_a_scheduled_pull_leaves_a_running_one_to_finish(db):
    PullRun.objects.create(kind=PullRun.Kind.CALLS)

    pulls.scheduled_calls()

    assert PullRun.objects.count() == 1


def test_a_run_no_worker_picked_up_is_marked_failed_by_the_next_schedule(klenty):
    from django.utils import timezone

    dead = PullRun.objects.create(
        kind=PullRun.Kind.CALLS, started_at=timezone.now() - timedelta(hours=3)
    )

    pulls.scheduled_calls()

    dead.refresh_from_db()
    assert dead.status == PullRun.Status.FAILED
    assert PullRun.objects.filter(status=PullRun.Status.DONE).count() == 1


def worker_dies_mid_run(run: PullRun, steps: int):
    """A worker plans the run, takes `steps` steps, claims the next item and dies with
    its lease: the items it finished, and the one it left in flight."""
    from django.utils import timezone

    from klentyadmin.core import background

    kind = background.get(pulls.KIND)
    context = kind.prepare(run)
    PullRun.objects.filter(pk=run.pk).update(status=PullRun.Status.RUNNING)
    for _ in range(1 + steps):  # the plan, then the steps
        kind.step(run, context)
    done = list(kind.items(run).filter(state="done"))
    in_flight = kind.items(run).filter(state="pending").order_by("pk").first()
    kind.claim_item(in_flight)
    PullRun.objects.filter(pk=run.pk).update(lease_until=timezone.now() - timedelta(seconds=1))
    return done, in_flight


def test_a_pull_whose_worker_died_is_resumed_by_the_one_schedule_and_asks_only_whats_left(
    klenty, settings
):
    from klentyadmin.core import background

    settings.REPORTS_BACKFILL_DAYS = 4
    run = pulls.start_run(PullRun.Kind.ENGAGEMENT)
    done, in_flight = worker_dies_mid_run(run, steps=3)
    first = [(i.cadence_name, i.day.isoformat()) for i in done]
    cadences = len(KlentyClient.from_settings().get_company_cadences())
    since = klenty.last_seq()

    assert background.resume_stalled() == 1  # django-q2 runs the task inline in tests

    run.refresh_from_db()
    assert run.status == PullRun.Status.DONE, run.errors
    assert EngagementDay.objects.count() == cadences * 4 == run.total == run.rows
    asked = [
        (r["body"]["cadenceName"], r["body"]["startDate"])
        for r in requests_to(klenty, since, "/emailEngagements")
    ]
    assert len(asked) == len(set(asked)) == cadences * 4 - len(first)
    assert not set(first) & set(asked)
    assert (in_flight.cadence_name, in_flight.day.isoformat()) in asked
    # The plan is kept, not made again: no second list of the cadences.
    assert all(r["path"].endswith("/emailEngagements") for r in klenty.requests(since))


def test_a_calls_pull_whose_worker_died_reads_only_the_members_not_read_yet(klenty):
    from klentyadmin.core import background

    run = pulls.start_run(PullRun.Kind.CALLS)
    done, in_flight = worker_dies_mid_run(run, steps=1)
    since = klenty.last_seq()

    assert background.resume_stalled() == 1

    run.refresh_from_db()
    assert run.status == PullRun.Status.DONE, run.errors
    assert Call.objects.count() == klenty.stats()["calls"]
    members_asked = {r["path"].split("/user/")[1].split("/")[0] for r in klenty.requests(since)}
    assert in_flight.member in members_asked
    assert not {item.member for item in done} & members_asked
    assert len(members_asked) == run.total - len(done)


def test_a_failed_pull_reads_as_one_line_on_the_pulls_page(manager_client, klenty):
    from django.urls import reverse

    klenty.fail_next(count=1, status=401, path_contains="/cadences")

    run = pulls.run_pull(PullRun.Kind.STEPWISE)

    assert run.status == PullRun.Status.FAILED
    html = manager_client.get(reverse("reporting:pulls")).content.decode()
    assert f"The step-wise engagement pull of {run.created_at:%Y-%m-%d %H:%M} stopped: " in html
    assert "Get Company Cadences" in run.error


def test_each_page_of_a_members_calls_comes_after_a_lease_checkpoint(klenty, monkeypatch):
    from itertools import pairwise

    leases_seen: list = []
    get_calls = KlentyClient.get_calls

    def spying(client, start, end, page=0):
        leases_seen.append((client.user_email, page, PullRun.objects.get().lease_until))
        return get_calls(client, start, end, page)

    monkeypatch.setattr(KlentyClient, "get_calls", spying)

    run = pulls.run_pull(PullRun.Kind.CALLS)

    assert run.status == PullRun.Status.DONE, run.errors
    later_pages = [
        (before, after)
        for (member, _, before), (same, page, after) in pairwise(leases_seen)
        if member == same and page > 0
    ]
    assert later_pages, "no member had a second page"
    # The lease was renewed (and the run checked to be still ours) before each later page.
    assert all(after > before for before, after in later_pages)
