"""Bad query strings never break a page: filters that do not parse are dropped and
named, search syntax is searched for as text, unknown ids are 404s."""

from __future__ import annotations

import pytest

from tests.badinput.corpus_queries import CASES, TOO_MANY
from tests.badinput.harness import params


@pytest.mark.parametrize("case", params(CASES))
def test_a_bad_query_string_is_answered_without_an_error(run_case, case):
    run_case(case)


@pytest.mark.parametrize("case", params(TOO_MANY))
def test_too_many_parameters_are_a_400_under_debug_as_well(run_case, case, settings):
    settings.DEBUG = True  # bin/run's setting, where Django's error page used to fail
    run_case(case)
