"""The keyboard, in a real browser: the command palette and the shortcuts."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests.browser.test_prospects_journey import cache_prospects
from tests.fixtures.browser import sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def cached(sandbox, demo_users, settings):
    settings.KLENTY_RATE_LIMIT_PER_MIN = 100_000
    return cache_prospects(sandbox, "Zephyrline")


def test_ctrl_k_finds_a_prospect_by_name_and_enter_opens_it(page, cached):
    prospect = cached[0]
    sign_in(page, "manager", "klenty-manager")

    page.keyboard.press("Control+k")
    palette = page.get_by_role("dialog", name="Command palette")
    expect(palette).to_be_visible()
    box = palette.get_by_role("combobox")
    expect(box).to_be_focused()
    box.press_sequentially(prospect.display_name)
    expect(palette.get_by_role("option").first).to_contain_text(prospect.display_name)
    expect(palette.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    box.press("Enter")

    expect(page).to_have_url(re.compile(reverse("prospects:detail", args=[prospect.pk]) + "$"))


def test_the_palette_moves_with_arrows_and_escape_closes_it(page, cached):
    sign_in(page, "rep", "klenty-rep")

    page.keyboard.press("Control+k")
    palette = page.get_by_role("dialog", name="Command palette")
    box = palette.get_by_role("combobox")
    box.press_sequentially("bulk")
    expect(palette.get_by_role("option", name=re.compile("Bulk jobs"))).to_have_count(1)
    expect(palette.get_by_test_id("palette-status")).to_have_text("1 result")
    # Reps are not offered what they may not open.
    box.fill("")
    box.press_sequentially("audit")
    expect(palette.get_by_text("Nothing matches.")).to_be_visible()
    box.press("Escape")
    expect(palette).to_be_hidden()

    page.keyboard.press("Control+k")
    page.get_by_role("combobox").press_sequentially("import")
    options = palette.get_by_role("option")
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowUp")
    expect(options.first).to_have_attribute("aria-selected", "true")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(reverse("prospects:import") + "$"))


def test_question_mark_lists_the_shortcuts_and_g_p_goes_to_prospects(page, cached):
    sign_in(page, "manager", "klenty-manager")
    page.goto(reverse("prospects:jobs"))

    page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_be_visible()
    expect(shortcuts.get_by_test_id("shortcut-list")).to_contain_text("Go to Prospects")
    page.keyboard.press("Escape")
    expect(shortcuts).to_be_hidden()

    page.keyboard.press("g")
    page.keyboard.press("p")
    expect(page).to_have_url(re.compile(reverse("prospects:search") + "$"))


def test_j_and_x_tick_the_highlighted_row_and_typing_is_not_a_shortcut(page, cached):
    sign_in(page, "manager", "klenty-manager")
    page.goto(reverse("prospects:search") + "?q=zephyrline")
    rows = page.locator("table.results tbody tr")
    expect(rows).to_have_count(3)
    search = page.get_by_label("Search name, email, company, title or domain")
    expect(search).to_be_focused()  # the page opens with the cursor in the search box
    page.keyboard.press("Escape")  # leaves the box, so the letters are shortcuts
    expect(search).not_to_be_focused()
    expect(search).to_have_value("zephyrline")  # left as typed, not emptied

    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(rows.nth(1)).to_have_class(re.compile("kb-current"))
    page.keyboard.press("x")
    expect(rows.nth(1).locator("input[type=checkbox]")).to_be_checked()
    expect(rows.nth(0).locator("input[type=checkbox]")).not_to_be_checked()
    page.keyboard.press("k")
    expect(rows.nth(0)).to_have_class(re.compile("kb-current"))

    # `/` puts the cursor in the search box, its text selected to be typed over; what
    # is typed there is text, not the `g p` shortcut.
    page.keyboard.press("/")
    expect(search).to_be_focused()
    page.keyboard.type("gp")
    expect(search).to_have_value("gp")
    assert page.url.endswith(reverse("prospects:search") + "?q=zephyrline")


def test_sign_out_from_the_palette_signs_out(page, demo_users):
    sign_in(page, "rep", "klenty-rep")

    page.keyboard.press("Meta+k")  # ⌘-K, as on a Mac
    page.get_by_role("combobox").press_sequentially("sign out")
    expect(page.get_by_role("option", name=re.compile("Sign out"))).to_be_visible()
    with page.expect_navigation():
        page.keyboard.press("Enter")

    page.goto(reverse("prospects:jobs"))
    expect(page).to_have_url(re.compile(reverse("login")))
