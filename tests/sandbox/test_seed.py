"""The demo data, built in-process: deterministic, fast, and internally consistent."""

from __future__ import annotations

import re
import time
from collections import Counter

import pytest

from sandbox.klenty_data import (
    BOUNCED,
    COMPLETED,
    NOT_CONTACTED,
    REPLIED,
    UNSUBSCRIBED,
    KlentyState,
)
from sandbox.klenty_seed import DISPOSITIONS, build_state
from sandbox.team import TEAM_EMAILS

NOW = 1_760_000_000.0


@pytest.fixture(scope="module")
def state() -> KlentyState:
    return build_state(42, 5000, now=NOW)


def fingerprint(state: KlentyState) -> tuple:
    prospects = [
        (p.id, p.email, p.fields, p.tags, p.custom, p.owner, p.status, p.created, p.events)
        for p in state.prospects.values()
    ]
    calls = {member: [call for _, call in calls] for member, calls in state.calls.items()}
    cadences = [(c.id, c.name, c.owner, c.steps) for c in state.cadences.values()]
    return prospects, calls, cadences, list(state.lists.values()), state.new_id()


def test_the_same_seed_builds_the_same_data(state):
    assert fingerprint(build_state(42, 5000, now=NOW)) == fingerprint(state)


def test_another_seed_builds_other_data(state):
    assert fingerprint(build_state(43, 5000, now=NOW))[0] != fingerprint(state)[0]


def test_seeding_5000_prospects_takes_well_under_a_second():
    # CPU time, so other processes on a busy test machine do not count.
    started = time.process_time()
    build_state(1, 5000)
    assert time.process_time() - started < 0.6


def test_copies_are_independent_of_the_original(state):
    copy = state.copy()
    prospect = next(iter(copy.prospects.values()))
    prospect.tags.append("changed")
    prospect.memberships.clear()
    original = state.prospects[prospect.id]
    assert "changed" not in original.tags
    assert copy.new_id() == state.copy().new_id()


def test_the_team_lists_and_cadences_are_as_documented(state):
    assert state.team == TEAM_EMAILS
    assert len(state.lists) == 8
    assert len(state.cadences) == 10
    assert set(c.owner for c in state.cadences.values()) == set(TEAM_EMAILS)
    for cadence in state.cadences.values():
        assert 3 <= len(cadence.steps) <= 6 and cadence.steps[0].type == "mail"
        for step in cadence.steps:
            assert (step.type == "mail") == (1 <= len(step.options) <= 2)


def test_prospects_look_plausible(state):
    emails = [p.email for p in state.prospects.values()]
    assert len(emails) == len(set(emails)) == 5000
    assert all(email.endswith(".example") for email in emails)
    for prospect in state.prospects.values():
        assert prospect.fields["CompanyDomain"].endswith(".example")
        assert prospect.fields["LinkedinURL"].startswith("https://www.linkedin.com/in/")
        assert prospect.owner in TEAM_EMAILS
        assert len(prospect.tags) <= 3 and len(set(prospect.tags)) == len(prospect.tags)
        assert set(prospect.custom) == {"industry", "employees", "lead_source"}
        assert NOW - 181 * 86400 < prospect.created <= prospect.updated <= NOW


def test_every_status_occurs(state):
    counts = Counter(p.status for p in state.prospects.values())
    assert len(counts) == 9 and min(counts.values()) >= 30


def test_statuses_agree_with_the_events(state):
    final = {BOUNCED: "bounce", REPLIED: "reply", UNSUBSCRIBED: "unsubscribe",
             COMPLETED: "completed"}  # fmt: skip
    for prospect in state.prospects.values():
        kinds = [event.kind for event in prospect.events]
        if prospect.status in final:
            # Its final event, after which no more mail went out (an open may come late).
            ending = final[prospect.status]
            assert ending in kinds and "sent" not in kinds[kinds.index(ending) :], kinds
        if prospect.status == NOT_CONTACTED:
            assert not prospect.memberships and not kinds
        times = [event.ts for event in prospect.events]
        assert times == sorted(times) and all(NOW - 91 * 86400 < t <= NOW for t in times)
        for event in prospect.events:
            assert event.cadence_id in prospect.memberships


def test_every_reply_follows_an_open_of_the_same_step(state):
    for prospect in state.prospects.values():
        opened = set()
        for event in prospect.events:
            if event.kind == "open":
                opened.add(event.step)
            if event.kind in ("reply", "click"):
                assert event.step in opened


def test_calls_are_unique_recent_and_fit_their_disposition(state):
    ranges = {name: bounds for name, _, bounds in DISPOSITIONS}
    sids = []
    for member, calls in state.calls.items():
        assert len(calls) > 200
        for created, call in calls:
            assert NOW - 30 * 86400 <= created <= NOW
            low, high = ranges[call["disposition"]]
            assert low <= call["duration"] <= high
            assert call["username"] == member
            assert call["email"] in state.ids_by_email
            sids.append(call["callSid"])
    assert len(sids) == len(set(sids))
    assert all(re.fullmatch(r"CA[0-9a-f]{32}", sid) for sid in sids)
    starts = [call["startTime"] for calls in state.calls.values() for _, call in calls]
    assert 0 < starts.count(None) < len(starts) / 4
