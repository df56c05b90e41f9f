"""Every sign-in form turns a bad input away with a message or a 4xx, and writes nothing."""

from __future__ import annotations

import pytest

from tests.badinput.corpus_sign_in import CASES
from tests.badinput.harness import params


@pytest.mark.parametrize("case", params(CASES))
def test_a_bad_sign_in_input_is_refused_and_nothing_is_written(run_case, case):
    run_case(case)
