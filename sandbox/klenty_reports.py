"""Klenty's read-only reports, computed from the recorded events for a time range.

Email Engagements and StepWise Metric Engagement count the events of one
cadence with `start <= ts < end`; Call Completion pages a member's calls.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sandbox.klenty_data import (
    COMPLETED,
    IN_CADENCE,
    Cadence,
    Event,
    KlentyState,
    Membership,
    Step,
)

CALLS_PER_PAGE = 200


def percent(part: int, whole: int) -> int:
    """A whole percentage rounded half up, as the docs' sample shows (1 of 8 → 13)."""
    return (part * 200 + whole) // (whole * 2) if whole else 0


def _members(state: KlentyState, cadence: Cadence) -> Iterator[tuple[Membership, list[Event]]]:
    cid = cadence.id
    for prospect in state.prospects.values():
        membership = prospect.memberships.get(cid)
        if membership is not None:
            yield membership, prospect.events


def email_engagements(
    state: KlentyState, cadence: Cadence, start: float, end: float
) -> dict[str, int]:
    counts = dict.fromkeys(
        (
            "prospectsAdded",
            "inCadenceCount",
            "prospectsCompleted",
            "openCount",
            "linkCount",
            "replyCount",
            "unsubscribeCount",
            "bounceCount",
            "positiveCount",
            "negativeCount",
        ),
        0,
    )
    by_kind = {
        "open": "openCount",
        "click": "linkCount",
        "reply": "replyCount",
        "unsubscribe": "unsubscribeCount",
        "bounce": "bounceCount",
        "completed": "prospectsCompleted",
    }
    cid = cadence.id
    for membership, events in _members(state, cadence):
        if start <= membership.added < end:
            counts["prospectsAdded"] += 1
            # "currently in cadence": of the prospects added in the range.
            if membership.status == IN_CADENCE:
                counts["inCadenceCount"] += 1
        for event in events:
            if event.cadence_id != cid or not start <= event.ts < end:
                continue
            key = by_kind.get(event.kind)
            if key:
                counts[key] += 1
            if event.kind == "reply" and event.detail in ("positive", "negative"):
                counts[f"{event.detail}Count"] += 1
    return counts


def _mail_counts() -> dict[str, int]:
    return {"sent": 0, "open": 0, "click": 0, "reply": 0, "positive": 0, "negative": 0}


def _mail_metrics(c: dict[str, int]) -> dict[str, int]:
    """The mail counters of a step or an option, with the docs' spelling ("negetive")."""
    return {
        "openCount": c["open"],
        "replyCount": c["reply"],
        "positiveReply": c["positive"],
        "negetiveReply": c["negative"],
        "positiveReplyPercent": percent(c["positive"], c["reply"]),
        "negetiveReplyPercent": percent(c["negative"], c["reply"]),
        "linkCount": c["click"],
        "mailCount": c["sent"],
        "openPercent": percent(c["open"], c["sent"]),
        "replyPercent": percent(c["reply"], c["sent"]),
        "linkPercent": percent(c["click"], c["sent"]),
    }


def step_wise(state: KlentyState, cadence: Cadence, start: float, end: float) -> list[dict]:
    steps = {step.number: _mail_counts() for step in cadence.steps}
    options = {(s.number, o.number): _mail_counts() for s in cadence.steps for o in s.options}
    work = {s.number: {"task": 0, "call": 0, "call_done": 0} for s in cadence.steps}
    # A prospect has completed a step once the cadence moved past it for them.
    completed = dict.fromkeys(steps, 0)
    cid = cadence.id
    for membership, events in _members(state, cadence):
        counted: set[int] = set()
        for event in events:
            if event.cadence_id != cid or not start <= event.ts < end or event.step not in steps:
                continue
            _count_step_event(event, steps, options, work)
            if event.kind in ("sent", "task", "call") and event.step not in counted:
                counted.add(event.step)
                if membership.step > event.step or membership.status == COMPLETED:
                    completed[event.step] += 1
    return [_step_row(step, steps, options, work, completed) for step in cadence.steps]


def _count_step_event(
    event: Event,
    steps: dict[int, dict[str, int]],
    options: dict[tuple[int, int], dict[str, int]],
    work: dict[int, dict[str, int]],
) -> None:
    kind, number = event.kind, event.step
    if kind in ("task", "call", "call_done"):
        work[number][kind] += 1
    elif kind in ("sent", "open", "click", "reply"):
        keys = [kind, event.detail] if kind == "reply" else [kind]
        for counts in (steps[number], options.get((number, event.option))):
            for key in keys:
                if counts is not None and key in counts:
                    counts[key] += 1


def _step_row(
    step: Step,
    steps: dict[int, dict[str, int]],
    options: dict[tuple[int, int], dict[str, int]],
    work: dict[int, dict[str, int]],
    completed: dict[int, int],
) -> dict[str, Any]:
    number = step.number
    row: dict[str, Any] = {"stepNumber": number, "stepType": step.type}
    row.update(_mail_metrics(steps[number]))
    row["completed"] = completed[number]
    row["taskCount"] = work[number]["task"]
    row["callCount"] = work[number]["call"]
    row["completedCalls"] = percent(work[number]["call_done"], work[number]["call"])
    row["options"] = [
        {
            "option": option.number,
            **_mail_metrics(options[(number, option.number)]),
            "templateName": option.template_name,
            "subject": option.subject,
            "snippet": option.snippet,
        }
        for option in step.options
    ]
    return row


def calls_page(
    state: KlentyState, member: str, start: float, end: float, page: int
) -> tuple[list[dict], bool]:
    """One page of a member's calls created in [start, end), newest first."""
    matching = [call for created, call in state.calls.get(member, ()) if start <= created < end]
    first = page * CALLS_PER_PAGE
    return matching[first : first + CALLS_PER_PAGE], len(matching) > first + CALLS_PER_PAGE
