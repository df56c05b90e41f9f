"""Rules evaluated against seeded reporting rows: each metric, scope and condition."""

from __future__ import annotations

import pytest

from alerts.evaluation import evaluate_all
from alerts.models import AlertFiring, AlertRule
from tests.alerts.helpers import MORGAN, PRIYA, cadence, calls, engagement, rule

pytestmark = pytest.mark.usefixtures("no_builtins")


def firing_subjects(r: AlertRule) -> list[str]:
    return sorted(AlertFiring.objects.open().filter(rule=r).values_list("subject", flat=True))


@pytest.mark.parametrize(
    ("metric", "counts", "threshold", "fires"),
    [
        ("bounce_rate", {"prospects_added": 100, "bounces": 3}, 2, True),
        ("bounce_rate", {"prospects_added": 100, "bounces": 2}, 2, False),
        ("reply_rate", {"prospects_added": 50, "replies": 10}, 15, True),
        ("unsubscribe_rate", {"prospects_added": 200, "unsubscribes": 3}, 1, True),
        ("unsubscribe_rate", {"prospects_added": 200, "unsubscribes": 1}, 1, False),
        ("positive_replies", {"prospects_added": 10, "positive": 4}, 3, True),
    ],
)
def test_each_engagement_metric_fires_above_its_threshold(metric, counts, threshold, fires):
    engagement("New Leads", **counts)
    r = rule(metric=metric, threshold=threshold)

    evaluate_all()

    assert firing_subjects(r) == ([""] if fires else [])


def test_a_rate_sums_the_window_and_ignores_days_before_it():
    engagement("New Leads", days_ago=1, prospects_added=50, bounces=2)
    engagement("New Leads", days_ago=6, prospects_added=50, bounces=2)
    engagement("New Leads", days_ago=7, prospects_added=1, bounces=1)  # outside 7 days
    r = rule(threshold=3.9)

    evaluate_all()

    assert AlertFiring.objects.get(rule=r).value == 4.0


def test_calls_below_a_threshold_per_rep_fire_for_the_quiet_rep_only():
    calls(MORGAN, 12)
    calls(PRIYA, 2)
    r = rule(metric="calls", scope="each_rep", condition="below", threshold=5)

    evaluate_all()

    assert firing_subjects(r) == [PRIYA]


def test_calls_for_one_cadence_are_counted_from_the_calls():
    calls(MORGAN, 4, cadence_name="New Leads")
    calls(PRIYA, 1, cadence_name="Webinar")
    r = rule(metric="calls", scope="cadence", scope_value="New Leads", threshold=3)

    evaluate_all()

    assert firing_subjects(r) == ["New Leads"]


def test_a_reps_engagement_is_that_of_the_cadences_they_own():
    cadence("New Leads", MORGAN)
    cadence("Webinar", PRIYA)
    engagement("New Leads", prospects_added=100, bounces=1)
    engagement("Webinar", prospects_added=100, bounces=9)
    mine = rule(scope="rep", scope_value=MORGAN)
    hers = rule(scope="rep", scope_value=PRIYA)

    evaluate_all()

    assert (firing_subjects(mine), firing_subjects(hers)) == ([], [PRIYA])


def test_each_cadence_fires_per_cadence_and_the_team_on_the_total():
    engagement("New Leads", prospects_added=100, bounces=1)
    engagement("Webinar", prospects_added=100, bounces=6)
    each = rule(scope="each_cadence", threshold=5)
    team = rule(scope="team", threshold=5)
    one = rule(scope="cadence", scope_value="New Leads", threshold=0.5)

    evaluate_all()

    assert firing_subjects(each) == ["Webinar"]
    assert firing_subjects(team) == []  # 3.5% over both
    assert firing_subjects(one) == ["New Leads"]


def test_too_few_prospects_added_say_nothing_yet():
    engagement("New Leads", prospects_added=5, bounces=5)
    r = rule(min_volume=20)

    evaluate_all()

    assert firing_subjects(r) == []


def test_a_drop_against_the_previous_period_fires_when_larger_than_the_threshold():
    engagement("New Leads", days_ago=10, prospects_added=100, replies=12)  # 12% before
    engagement("New Leads", days_ago=1, prospects_added=100, replies=5)  # 5% now
    big = rule(metric="reply_rate", condition="drop_previous", threshold=5)
    bigger = rule(metric="reply_rate", condition="drop_previous", threshold=8)

    evaluate_all()

    firing = AlertFiring.objects.get(rule=big)
    assert (firing.value, firing_subjects(bigger)) == (5.0, [])
    assert "against 12% before" in firing.message


def test_a_drop_against_the_baseline_scales_counts_to_the_window():
    # 28 days before the window: 56 positive replies, 14 a week; this week 4.
    for days_ago in range(7, 35):
        engagement("New Leads", days_ago=days_ago, positive=2)
    engagement("New Leads", days_ago=0, positive=4)
    r = rule(metric="positive_replies", condition="drop_baseline", threshold=9, baseline_days=28)

    evaluate_all()

    assert AlertFiring.objects.get(rule=r).message.count("against 14 before") == 1


def test_a_disabled_rule_is_not_evaluated():
    engagement("New Leads", prospects_added=100, bounces=50)
    r = rule(enabled=False)

    evaluate_all()

    assert firing_subjects(r) == []


def test_evaluation_queries_do_not_grow_with_the_rules(django_assert_max_num_queries):
    engagement("New Leads", prospects_added=100, bounces=1)
    for n in range(30):
        rule(name=f"rule {n}", threshold=50, window_days=7 + n % 3, scope="each_cadence")

    with django_assert_max_num_queries(6):  # rules, open firings, one per window
        result = evaluate_all()

    # Three windows: one engagement query each, whatever the number of rules.
    assert result.queries == 3
