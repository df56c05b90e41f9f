"""The CSV import's step indicator marks the step the user is on."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser

STYLE = "el => { const s = getComputedStyle(el); return [s.backgroundColor, s.fontWeight]; }"


def test_the_current_import_step_stands_out_from_the_others(page, demo_users):
    sign_in(page, "manager", "klenty-manager")
    page.goto("/prospects/import/")

    steps = page.get_by_role("list", name="Steps").get_by_role("listitem")
    expect(steps.first).to_have_attribute("aria-current", "step")
    current = steps.first.evaluate(STYLE)
    for other in steps.all()[1:]:
        assert other.evaluate(STYLE) != current
