"""The CSV import turns bad files away with a clear message, keeps nothing it refused,
and reports bad rows one by one without sending anything to Klenty."""

from __future__ import annotations

import pytest

from tests.badinput.corpus_csv import CASES
from tests.badinput.harness import params


@pytest.mark.parametrize("case", params(CASES))
def test_a_bad_file_is_refused_or_reported_and_nothing_is_sent(run_case, case):
    run_case(case)
