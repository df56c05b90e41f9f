"""The Experiments page's statistics (reporting/experiments.py) against values
published independently of the library that computes them."""

from __future__ import annotations

import math

import pytest

from reporting.experiments import (
    Arm,
    ExperimentError,
    chi_square,
    compare,
    difference_interval,
    holm,
    more_per_arm,
    needed_per_arm,
    z_test,
)


def test_the_z_test_matches_the_textbook_value():
    # 45/100 against 30/100: pooled p = 0.375, SE = sqrt(0.375 * 0.625 * 2/100) = 0.06847,
    # z = 0.15 / 0.06847 = 2.19, two-sided p = 0.0285.
    z, p = z_test(Arm("B", 100, 45), Arm("A", 100, 30))

    assert z == pytest.approx(2.1909, abs=1e-4)
    assert p == pytest.approx(0.0285, abs=1e-4)


def test_the_difference_interval_is_newcombs_published_one():
    # Newcomb (1998), Statistics in Medicine 17:873, table II example (a):
    # 56/70 - 48/80, the score interval ("method 10") is 0.0524 to 0.3339.
    low, high = difference_interval(Arm("a", 70, 56), Arm("b", 80, 48))

    assert (round(low, 4), round(high, 4)) == (0.0524, 0.3339)


@pytest.mark.parametrize("h, n", [(0.2, 392), (0.5, 63), (0.8, 25)])
def test_the_sample_size_matches_cohens_table(h, n):
    # Cohen (1988), table 6.4.1: two-sided 5%, power 0.80, n per group 392 (h = 0.2),
    # 63 (h = 0.5), 25 (h = 0.8).
    assert round(needed_per_arm(h)) == n


def test_the_chi_square_matches_the_hand_computed_value():
    # 10/100, 20/100, 30/100: expected 20 and 80 in each row, so chi-square =
    # 2 * (100/20 + 100/80) = 12.5 with 2 degrees of freedom, p = exp(-12.5 / 2).
    statistic, p, expected = chi_square([Arm("A", 100, 10), Arm("B", 100, 20), Arm("C", 100, 30)])

    assert statistic == pytest.approx(12.5)
    assert p == pytest.approx(math.exp(-6.25))
    assert expected == [[20, 80]] * 3


def test_two_arms_chi_square_is_the_z_test_squared():
    arms = [Arm("B", 100, 45), Arm("A", 100, 30)]

    assert chi_square(arms)[0] == pytest.approx(z_test(*arms)[0] ** 2)


def test_holm_matches_the_worked_example():
    # p = 0.01, 0.04, 0.03: sorted 0.01 x 3 = 0.03, 0.03 x 2 = 0.06, 0.04 x 1 -> 0.06
    # (kept monotone).
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def test_holm_runs_no_full_garbage_collection(monkeypatch):
    # statsmodels calls gc.collect() after Holm's correction: 0.1 s and more per page.
    import gc

    calls = []
    monkeypatch.setattr(gc, "collect", lambda *a: calls.append(a) or 0)

    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])
    assert calls == []
    import sys

    assert sys.modules["gc"] is gc  # put back


def test_a_clear_winner_gets_the_plain_verdict():
    result = compare([Arm("A", 100, 30), Arm("B", 100, 45)])

    assert result.best.label == "B"
    assert result.significant
    assert result.verdict.startswith("B is better with 95% confidence: its rate is 15.0 points")
    pair = result.pairs[0]
    assert pair.p_value == pytest.approx(0.0285, abs=1e-4)
    assert pair.ci_low < 0.15 < pair.ci_high and pair.ci_low > 0


def test_a_small_difference_says_how_many_more_prospects_it_needs():
    result = compare([Arm("A", 100, 30), Arm("B", 100, 35)])

    assert not result.significant
    # Per arm n = 2 ((z_0.975 + z_0.80) / h)^2 with Cohen's h = 2 asin(sqrt .35) -
    # 2 asin(sqrt .30), less the 100 each arm has.
    h = 2 * math.asin(math.sqrt(0.35)) - 2 * math.asin(math.sqrt(0.30))
    expected = math.ceil(2 * ((1.959964 + 0.841621) / h) ** 2) - 100
    assert result.pairs[0].more_per_arm == expected == 1276
    assert "Not enough data to tell B from A: about 1,276 more prospects per arm" in result.verdict


def test_what_is_missing_is_counted_from_the_smaller_arm():
    small, large = Arm("A", 100, 30), Arm("B", 400, 140)

    assert more_per_arm(large, small) == more_per_arm(Arm("B", 100, 35), Arm("A", 100, 30))


def test_more_arms_use_the_chi_square_and_holm():
    result = compare([Arm("A", 100, 10), Arm("B", 100, 20), Arm("C", 100, 30)])

    assert result.test == "chi-square"
    assert result.p_value == pytest.approx(math.exp(-6.25))
    by_other = {p.other.label: p for p in result.pairs}
    # Two comparisons: the smaller p doubled, the larger kept (Holm).
    assert by_other["A"].p_adjusted == pytest.approx(2 * by_other["A"].p_value)
    assert by_other["B"].p_adjusted == pytest.approx(by_other["B"].p_value)
    assert by_other["A"].significant and not by_other["B"].significant
    assert result.verdict.startswith("C is better than A with 95% confidence.")
    assert "Not enough data to tell C from B" in result.verdict


def test_no_arm_is_called_better_when_the_overall_test_is_not_significant():
    result = compare([Arm("A", 50, 10), Arm("B", 50, 12), Arm("C", 50, 11)])

    assert result.p_value > 0.05
    assert not result.significant
    assert result.verdict.startswith("Not enough data")


def test_small_arms_get_a_sample_size_warning():
    result = compare([Arm("A", 10, 1), Arm("B", 200, 60)])

    assert any("A has only 1 reply:" in w for w in result.warnings)
    both = compare([Arm("A", 100, 3), Arm("B", 100, 12)]).warnings
    assert both[0].startswith("A (3) and B (12) have fewer than 30 replies each")
    assert any("expected count is below 5" in w for w in result.warnings)
    assert compare([Arm("A", 1000, 300), Arm("B", 1000, 350)]).warnings == []
    few_failures = compare([Arm("A", 40, 39), Arm("B", 400, 300)], outcome="positive replies")
    assert "A has only 1 prospect without positive replies" in few_failures.warnings[0]


def test_no_successes_anywhere_is_not_a_crash():
    result = compare([Arm("A", 100, 0), Arm("B", 100, 0)])

    assert result.pairs == [] and not result.significant
    assert result.verdict == (
        "Not enough data: no arm has any replies yet, so there is no difference to test."
    )


def test_equal_rates_need_no_sample_size():
    result = compare([Arm("A", 100, 5), Arm("B", 100, 5)])

    assert result.pairs[0].more_per_arm is None
    assert "have the same rate so far" in result.verdict


@pytest.mark.parametrize(
    "arms, message",
    [
        ([Arm("A", 10, 1)], "Choose at least two arms to compare."),
        ([Arm("A", 10, 1), Arm("A", 10, 1)], "A is chosen twice: choose each arm once."),
        ([Arm("A", 10, 1), Arm("B", 0, 0)], "B has no prospects in this range, so it has no rate."),
        ([Arm("A", 10, 1), Arm("B", 10, 12)], "B has more replies (12) than prospects (10)"),
    ],
)
def test_arms_that_cannot_be_compared_say_why(arms, message):
    with pytest.raises(ExperimentError) as raised:
        compare(arms)

    assert any(p.startswith(message) for p in raised.value.problems)
