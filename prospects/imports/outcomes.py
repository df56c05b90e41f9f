"""The per-row outcome after the import: every row of the file with what became of
it, as the summary page shows it and as outcome.csv."""

from __future__ import annotations

from typing import Any

from klentyadmin.lib.csv_writer import csv_text
from prospects.imports.checking import DUPLICATE, EXISTS, INVALID, READY

# Job item state → the outcome column of the per-row CSV (see prospects/bulk.py).
ITEM_OUTCOMES = {
    "done": "added",
    "skipped": "already exists",
    "failed": "failed",
    "pending": "pending",
    "sending": "pending",
    "cancelled": "cancelled",
}
NOT_SENT_OUTCOMES = {INVALID: "invalid", DUPLICATE: "duplicate", EXISTS: "already exists"}
OUTCOME_CSV_HEADER = ("row", "email", "outcome", "detail")


def final_outcomes(
    rows: list[list[Any]], items: dict[str, tuple[str, str]]
) -> list[tuple[int, str, str, str]]:
    """Every row of the file with what became of it.

    `rows` are the stored [number, email, status, reason] of the check made when
    the import started; `items` maps a sent row's email to its job item's
    (state, message).
    """
    result = []
    for number, email, status, reason in rows:
        if status == READY:
            state, message = items.get(email, ("pending", ""))
            outcome = ITEM_OUTCOMES.get(state, state)
            if outcome == "added":
                message = ""
            elif outcome == "already exists":
                message = "Klenty already had this prospect."
            elif outcome == "pending" and not message:
                message = "Not sent yet."
            result.append((number, email, outcome, message))
        else:
            result.append((number, email, NOT_SENT_OUTCOMES.get(status, status), reason))
    return sorted(result)


def outcome_csv(outcomes: list[tuple[int, str, str, str]]) -> str:
    return csv_text([OUTCOME_CSV_HEADER, *outcomes])
