"""A cadence refresh is a run of the background framework: one item per team member,
taken over after its runner dies, reading only the members not read yet."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cadences import sync
from cadences.models import Cadence, CadenceRefresh, CadenceRefreshMember
from klentyadmin.core import background
from klentyadmin.core.background.models import RunStatus
from klentyadmin.core.connections import klenty_target
from klentyadmin.integrations.klenty import KlentyClient

pytestmark = pytest.mark.django_db


class WorkerKilled(BaseException):
    """Stands in for SIGKILL: no `except Exception` in the runner sees it."""


def cadence_reads(sandbox, since: int, until: int | None = None) -> Counter:
    """Requests for cadences after `since` (up to `until`), by the member asked about
    ("" = the company's list)."""
    reads = Counter()
    for request in sandbox.requests(since):
        if request["path"].endswith("/cadences") and (until is None or request["seq"] <= until):
            member = request["query"].get("username", [""])
            reads[member[0] if isinstance(member, list) else member] += 1
    return reads


def expected_cache() -> dict[str, tuple[str, list[str]]]:
    client = KlentyClient.from_settings()
    owners: dict[str, list[str]] = {}
    for member in klenty_target().team_emails:
        for owned in client.get_user_cadences(member):
            owners.setdefault(owned.id, []).append(member.lower())
    return {c.id: (c.name, sorted(owners.get(c.id, []))) for c in client.get_company_cadences()}


def test_a_refresh_whose_worker_died_is_resumed_and_reads_each_member_once_more_at_most(
    sandbox, monkeypatch
):
    members = klenty_target().team_emails
    assert len(members) >= 3
    real_process = sync.CadenceRefreshes.process_item

    def dies_on_the_second_member(self, run, context, item):
        if item.email == members[1]:
            raise WorkerKilled
        real_process(self, run, context, item)

    monkeypatch.setattr(sync.CadenceRefreshes, "process_item", dies_on_the_second_member)
    since = sandbox.last_seq()
    with pytest.raises(WorkerKilled):
        sync.refresh_cadences()
    run = CadenceRefresh.objects.get()
    assert run.status == RunStatus.RUNNING
    assert not Cadence.objects.exists(), "the cache changes only when the refresh ends"
    states = dict(CadenceRefreshMember.objects.values_list("email", "state"))
    assert states[members[0]] == "read" and states[members[1]] == "sending"

    monkeypatch.setattr(sync.CadenceRefreshes, "process_item", real_process)
    assert background.resume_stalled() == 0, "its lease has not lapsed yet"
    CadenceRefresh.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    assert background.resume_stalled() == 1

    run.refresh_from_db()
    assert run.status == RunStatus.DONE and run.error == ""
    reads = cadence_reads(sandbox, since)
    assert reads[""] == 1, "the company list was kept, not read again"
    assert {m: reads[m] for m in members} == {m: 1 for m in members}, (
        "each member read once: the one in flight was never answered before the kill"
    )
    cached = {c.klenty_id: (c.name, c.owners) for c in Cadence.objects.all()}
    assert cached == expected_cache()
    assert run.cadences == len(cached)


def test_a_new_refresh_cancels_one_still_going(sandbox, monkeypatch):
    old = sync.start_refresh()

    sync.refresh_cadences()

    old.refresh_from_db()
    assert old.status == RunStatus.CANCELLED
    assert old.error == sync.REPLACED
    assert background.run(sync.KIND, old.pk).startswith("not claimed")
    assert CadenceRefresh.objects.first().status == RunStatus.DONE


def test_a_member_who_cannot_be_read_is_one_readable_line(sandbox):
    member = klenty_target().team_emails[1]
    sandbox.fail_next(count=10, status=503, path_contains=f"/user/{member}/cadences")

    run = sync.refresh_cadences()

    assert member in run.error
    line = background.get(sync.KIND).failure_line(run)
    assert line.startswith("The cadence refresh missed some members: ") and member in line
    assert "Traceback" not in line


def test_the_cadences_page_polls_a_refresh_still_going_until_it_ends(manager_client, sandbox):
    members = klenty_target().team_emails
    run = sync.start_refresh()
    url = reverse("cadences:refresh_progress", args=[run.pk])

    page = manager_client.get(reverse("cadences:list")).content.decode()
    assert 'data-testid="refresh-progress"' in page and f'hx-get="{url}"' in page
    polled = manager_client.get(url, headers={"HX-Request": "true"})
    assert polled.status_code == 200
    assert f'data-testid="refresh-remaining">{len(members)}<' in polled.content.decode()

    background.run(sync.KIND, run.pk)

    polled = manager_client.get(url, headers={"HX-Request": "true"})
    assert polled.status_code == 286  # htmx: stop polling
    assert f'data-testid="refresh-read">{len(members)}<' in polled.content.decode()
    assert (
        'data-testid="refresh-progress"'
        not in manager_client.get(reverse("cadences:list")).content.decode()
    )
