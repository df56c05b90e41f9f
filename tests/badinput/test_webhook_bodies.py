"""Both webhook receivers refuse a malformed delivery with a 4xx and store nothing."""

from __future__ import annotations

import pytest

from tests.badinput.corpus_webhooks import CASES
from tests.badinput.harness import params


@pytest.mark.parametrize("case", params(CASES))
def test_a_malformed_delivery_is_refused_and_nothing_is_stored(run_case, case):
    run_case(case)
