"""Properties of the CSV reader and the row checks: whatever the file holds, they
return rows and problems, never an exception, and account for every row once."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from prospects import imports

TARGETS = sorted(imports.valid_targets())
EMAILISH = st.one_of(
    st.emails().map(str),
    st.text(max_size=30),
    st.sampled_from(["", " ", "a@b", "A@EXAMPLE.COM", "a@example.com", "=1+1", "@", "x@y..z"]),
)
CELL = st.one_of(st.text(max_size=40), EMAILISH, st.sampled_from(['"', "\n", ";", ",", "\t"]))
# Latin-1 covers every byte, so decoded tables may hold anything up to U+00FF.
TABLES = st.lists(st.lists(CELL, min_size=1, max_size=6), min_size=0, max_size=25)
ENCODINGS = st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "latin-1", "utf-16"])
DELIMITERS = st.sampled_from([",", ";", "\t"])

relaxed = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def check_everything(data: bytes, mapping_seed: list[str] | None = None):
    parsed = imports.read_upload(data)
    assert isinstance(parsed, imports.ParsedCsv)
    if not parsed.ok:
        assert parsed.problem
        assert parsed.rows == ()
        return parsed, []
    assert parsed.headers and parsed.rows
    mapping = imports.guess_mapping(parsed)
    assert len(mapping) == len(parsed.headers)
    assert set(mapping) <= imports.valid_targets()
    if mapping_seed:
        mapping = [mapping_seed[i % len(mapping_seed)] for i in range(len(parsed.headers))]
        if imports.EMAIL not in mapping:
            mapping[0] = imports.EMAIL
    imports.mapping_problems(parsed.headers, mapping)
    options = imports.ImportOptions(
        mapping=mapping,
        list_name="L",
        extra_tags=("t",),
        team_emails=frozenset({"a@example.com"}),
        existing_emails=frozenset({"a@example.com"}),
    )
    outcomes = imports.check_rows(parsed, options)
    # Every row accounted for exactly once, in order.
    assert [o.number for o in outcomes] == [r.number for r in parsed.rows]
    assert len(set(o.number for o in outcomes)) == len(outcomes)
    assert sum(imports.count_by_status(outcomes).values()) == len(outcomes)
    for outcome in outcomes:
        assert outcome.status in imports.STATUS_LABELS
        if outcome.status == imports.READY:
            assert outcome.fields["email"] == outcome.email
            assert set(outcome.fields) <= imports.prospect_field_names()
        else:
            assert outcome.reason and not outcome.fields
    # The final report, before any job ran, also has one line per row.
    stored_rows = [[o.number, o.email, o.status, o.reason] for o in outcomes]
    final = imports.final_outcomes(stored_rows, {})
    assert [n for n, *_ in final] == sorted(r.number for r in parsed.rows)
    report = list(csv.reader(io.StringIO(imports.outcome_csv(final))))
    assert len(report) == len(outcomes) + 1
    return parsed, outcomes


@relaxed
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_raise(data):
    check_everything(data)


@relaxed
@given(st.text(max_size=1500))
def test_arbitrary_text_never_raises(text):
    check_everything(text.encode("utf-8"))


@relaxed
@given(TABLES, ENCODINGS, DELIMITERS, st.lists(st.sampled_from(TARGETS), max_size=6))
def test_written_tables_are_read_back_with_every_row_accounted_for(
    table, encoding, delimiter, mapping_seed
):
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, lineterminator="\r\n").writerows(table)
    try:
        data = out.getvalue().encode(encoding)
    except UnicodeEncodeError:
        data = out.getvalue().encode("utf-8")

    parsed, outcomes = check_everything(data, mapping_seed)

    if parsed.ok:
        non_blank = [row for row in table if any(cell.strip() for cell in row)]
        # The header is the first non-blank row; every later one is a data row,
        # unless the separator guessed from the header differs from the writer's.
        if parsed.delimiter == delimiter and "\x00" not in out.getvalue():
            assert len(parsed.rows) == len(non_blank) - 1
        assert len(outcomes) == len(parsed.rows)
