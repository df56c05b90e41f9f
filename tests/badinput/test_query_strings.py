"""Bad query strings never break a page: filters that do not parse are dropped and
named, search syntax is searched for as text, unknown ids are 404s."""

from __future__ import annotations

import pytest

from tests.badinput.corpus_queries import CASES
from tests.badinput.harness import params


@pytest.mark.parametrize("case", params(CASES))
def test_a_bad_query_string_is_answered_without_an_error(run_case, case):
    run_case(case)
