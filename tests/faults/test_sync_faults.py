"""The prospect sync against a sandbox that fails, and with a worker killed mid-sync.

A fifth of Klenty's answers are 5xx and 429s come in bursts: a full and an incremental
sync may end FAILED on the way, but the next run resumes, and the cache they leave
matches the sandbox's own state field by field. The drill with a real `qcluster` killed
mid-sync is tests/faults/sync_drill.py, run with every kind's in test_background_faults.py.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from klentyadmin.integrations.klenty import PAYLOAD_KEYS, KlentyClient, ProspectFields
from prospects import sync
from prospects.models import Prospect, SyncRun

PROSPECTS = 300
MAX_RUNS = 40  # a run ends FAILED after a few unlucky requests; far fewer are needed
# The profile fields the by-date answers carry, in our names and in the sandbox's.
TEXT_FIELDS = {
    name: key
    for name, key in PAYLOAD_KEYS.items()
    if name not in {"email", "list_name", "tags", "custom_fields", "owner", "outcome"}
}


@pytest.fixture
def faulty_klenty(sandbox, settings):
    """A small sandbox answering 503 to a fifth of the calls, and a client that retries."""
    sandbox.reset(prospects=PROSPECTS)
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    settings.API_MAX_ATTEMPTS = 3  # so some runs do fail, and are resumed
    settings.API_BACKOFF_BASE = 0.01
    settings.API_BACKOFF_CAP = 1.5  # a Retry-After of 1 s is waited out, a longer one fails
    settings.KLENTY_SYNC_HISTORY_DAYS = 185  # the sandbox seeds 180 days of prospects
    settings.KLENTY_SYNC_STATUS_CHECKS = 2 * PROSPECTS + 50  # every status, in one run
    sandbox.configure(rate_limit_per_min=0, fault_rate=0.2, fault_status=503)
    return sandbox


def bursts_of_429(monkeypatch, sandbox, *, every: int = 100) -> list[int]:
    """Every `every`th read from Klenty is followed by a burst of 429s.

    Bursts of two with Retry-After: 1 are waited out (a run survives them); the second
    burst says Retry-After: 3, longer than the client waits, so that run fails, every
    process holds off for 3 s, and the next run resumes.
    """
    original = KlentyClient._get
    armed: list[int] = []
    calls = {"n": 0}

    def _get(self, endpoint, rest, params=None):
        calls["n"] += 1
        if calls["n"] % every == 0:
            armed.append(calls["n"])
            retry_after = 3 if len(armed) == 2 else 1
            sandbox.fail_next(count=2, status=429, retry_after=retry_after)
        return original(self, endpoint, rest, params)

    monkeypatch.setattr(KlentyClient, "_get", _get)
    return armed


def sync_until_done(kind: str) -> list[SyncRun]:
    runs = []
    for _ in range(MAX_RUNS):
        run = sync.run_sync(kind, slice_seconds=None)
        runs.append(run)
        if run.status == SyncRun.Status.DONE:
            return runs
        assert run.status == SyncRun.Status.FAILED, run.status
    pytest.fail(f"no {kind} sync finished in {MAX_RUNS} runs: {runs[-1].errors[-2000:]}")


def cached_fields(prospect: Prospect) -> dict:
    return {
        "klenty_id": prospect.klenty_id,
        "owner": prospect.owner_email,
        "tags": prospect.tags,
        "list": prospect.prospect_list.name if prospect.prospect_list else None,
        "list_id": prospect.prospect_list.klenty_id if prospect.prospect_list else None,
        "status": prospect.prospect_status,
        "cadence_status": prospect.cadence_status,
        "custom_fields": prospect.custom_fields,
        "created_on": prospect.created_on,
        **{name: getattr(prospect, name) for name in TEXT_FIELDS},
    }


def sandbox_fields(found: dict) -> dict:
    return {
        "klenty_id": found["id"],
        "owner": found["owner"].lower(),
        "tags": found["tags"],
        "list": found["list"],
        "list_id": found["list_id"],
        "status": found["status"],
        "cadence_status": found["cadence_status"],
        "custom_fields": found["custom_fields"],
        "created_on": date.fromisoformat(found["created"][:10]),
        **{name: found["fields"].get(key, "") for name, key in TEXT_FIELDS.items()},
    }


def assert_cache_matches_sandbox(sandbox) -> None:
    """Every prospect the sandbox holds is cached, with every field as the sandbox has it."""
    summaries = sandbox.find_prospects(limit=1000)
    assert len(summaries) == sandbox.stats()["prospects"]
    cached = {p.email: p for p in Prospect.objects.select_related("prospect_list")}
    assert set(cached) == {s["email"] for s in summaries}
    wrong = {}
    for summary in summaries:
        found = sandbox.prospect(summary["email"])
        expected, actual = sandbox_fields(found), cached_fields(cached[summary["email"]])
        if actual != expected:
            wrong[summary["email"]] = {
                k: (actual[k], expected[k]) for k in expected if actual[k] != expected[k]
            }
        updated_on = cached[summary["email"]].updated_on
        if updated_on is not None:
            assert updated_on == date.fromisoformat(found["updated"][:10])
    assert not wrong, f"{len(wrong)} prospects differ (cached, sandbox): {list(wrong.items())[:5]}"


@pytest.mark.django_db
def test_a_full_and_an_incremental_sync_converge_despite_5xx_and_429_bursts(
    faulty_klenty, monkeypatch
):
    armed = bursts_of_429(monkeypatch, faulty_klenty)

    full = sync_until_done("full")

    assert len(full) > 1, "no run failed: the faults were not exercised"
    assert armed, "no burst of 429 was sent"
    assert {run.pk for run in full} == {full[0].pk}, "a failed run was not resumed"
    done = full[-1]
    assert (done.seen, done.created, done.updated) == (PROSPECTS, PROSPECTS, 0)
    assert done.errors.count("\n") == len(full) - 2  # one line per failed run
    assert_cache_matches_sandbox(faulty_klenty)

    # Klenty changes (written while it answers, so each change is made once).
    faulty_klenty.configure(fault_rate=0)
    client = KlentyClient.from_settings()
    lists = [item.name for item in client.get_lists()]
    changed = faulty_klenty.find_prospects(status="Not Contacted", limit=3)
    client.update_prospect(
        changed[0]["email"], ProspectFields(title="Head of Faults", tags=["drill"])
    )
    client.mark_do_not_contact(changed[1]["email"])
    moved_to = next(name for name in lists if name != changed[2]["list"])
    client.update_prospect(changed[2]["email"], ProspectFields(list_name=moved_to))
    client.create_prospect(
        ProspectFields(email="new.drill@example.com", first_name="Nell", list_name=lists[0])
    )
    faulty_klenty.configure(fault_rate=0.2)

    incremental = sync_until_done("incremental")

    done = incremental[-1]
    assert done.kind == SyncRun.Kind.INCREMENTAL
    assert {run.pk for run in incremental} == {incremental[0].pk}
    assert done.created == 1 and done.moved == 1
    assert_cache_matches_sandbox(faulty_klenty)
    assert Prospect.objects.get(email=changed[0]["email"]).title == "Head of Faults"
    assert Prospect.objects.get(email=changed[1]["email"]).prospect_status == "Do Not Contact"
    assert Prospect.objects.get(email="new.drill@example.com").updated_on == timezone.localdate()
