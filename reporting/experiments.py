"""Is one arm of an experiment really better? The statistics of the Experiments page.

No Django here: arms in (a label, how many were tried, how many succeeded), a
`Result` out. Every figure comes from statsmodels, a well-kept library whose tests
check it against published values; nothing below is a hand-written formula.

* Two arms: the two-proportion z-test with the pooled variance
  (`proportions_ztest`), and the Newcomb score interval of the difference
  (`confint_proportions_2indep`), which behaves with small counts and rates near 0.
* More arms: a chi-square test that all arms share one rate (`proportions_chisquare`,
  the chi-square test of independence of the arms-by-outcome table), then each arm
  against the best one with the z-test, the p-values corrected for the several
  comparisons with Holm's method (`multipletests`). An arm is called worse than the
  best only when both the overall test and its corrected comparison say so.
* Not significant: how many prospects per arm would show the observed difference with
  80% power at the 5% level (`NormalIndPower` on Cohen's h, `proportion_effectsize`).
  With more arms the calculation uses the strictest level Holm's method applies
  (alpha divided by the number of comparisons), so the figure is not too small.
* Warnings where the normal approximation behind the tests is weak: fewer than 30
  successes or failures in an arm, or an expected count below 5.
"""

from __future__ import annotations

import gc
import math
import sys
import types
import warnings
from dataclasses import dataclass, field

# statsmodels (with scipy and pandas) takes over a second to import; it is imported by
# the functions below, on the first experiment a process computes, not by every process
# that loads the URLs.

ALPHA = 0.05
POWER = 0.80
# Below these an arm's rate, and the tests' normal approximation, are rough.
FEW_OUTCOMES = 30
FEW_EXPECTED = 5
MAX_ARMS = 8


class ExperimentError(ValueError):
    """The arms cannot be compared; `problems` says why, one sentence each."""

    def __init__(self, problems: list[str]):
        super().__init__(" ".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class Arm:
    label: str
    n: int
    successes: int

    @property
    def failures(self) -> int:
        return self.n - self.successes

    @property
    def rate(self) -> float:
        return self.successes / self.n

    def interval(self, alpha: float = ALPHA) -> tuple[float, float]:
        """The Wilson interval of this arm's rate."""
        from statsmodels.stats.proportion import proportion_confint

        low, high = proportion_confint(self.successes, self.n, alpha=alpha, method="wilson")
        return float(low), float(high)


@dataclass(frozen=True)
class Pair:
    """`best` against `other`: the difference of their rates (best minus other)."""

    best: Arm
    other: Arm
    difference: float
    ci_low: float
    ci_high: float
    z: float
    p_value: float
    p_adjusted: float
    significant: bool
    # More per arm to show this difference with 80% power; None when the difference
    # is nil (no number of prospects would show it), 0 when the arms already have it.
    more_per_arm: int | None


@dataclass(frozen=True)
class Result:
    arms: list[Arm]
    best: Arm
    pairs: list[Pair]
    # The overall test: "z" for two arms, "chi-square" for more.
    test: str
    statistic: float | None
    p_value: float | None
    verdict: str
    significant: bool
    warnings: list[str] = field(default_factory=list)
    alpha: float = ALPHA

    @property
    def confidence(self) -> int:
        return round(100 * (1 - self.alpha))


def problems_with(
    arms: list[Arm], *, unit: str = "prospects", outcome: str = "replies"
) -> list[str]:
    """Why these arms cannot be compared (an empty list: they can)."""
    problems = []
    if len(arms) < 2:
        problems.append("Choose at least two arms to compare.")
    if len(arms) > MAX_ARMS:
        problems.append(f"Choose at most {MAX_ARMS} arms.")
    labels = [a.label for a in arms]
    for label in dict.fromkeys(labels):
        if labels.count(label) > 1:
            problems.append(f"{label} is chosen twice: choose each arm once.")
    for arm in dict.fromkeys(arms):
        if arm.n < 0 or arm.successes < 0:
            problems.append(f"{arm.label} has a negative count.")
        elif arm.n == 0:
            problems.append(f"{arm.label} has no {unit} in this range, so it has no rate.")
        elif arm.successes > arm.n:
            problems.append(
                f"{arm.label} has more {outcome} ({arm.successes:,}) than {unit} "
                f"({arm.n:,}) in this range (they count what happened in the range, not what "
                f"became of the {unit} added in it): choose a longer range."
            )
    return problems


def needed_per_arm(effect: float, alpha: float = ALPHA, power: float = POWER) -> float:
    """The prospects per arm (equal arms) that show a difference of Cohen's h `effect`
    with `power` at level `alpha`, two-sided."""
    from statsmodels.stats.power import NormalIndPower

    return float(
        NormalIndPower().solve_power(
            effect_size=abs(effect), alpha=alpha, power=power, ratio=1.0, alternative="two-sided"
        )
    )


def more_per_arm(first: Arm, second: Arm, alpha: float = ALPHA, power: float = POWER) -> int | None:
    """How many more per arm would show the difference between these two rates with
    `power` at level `alpha`: the sample size per arm, less what the smaller arm has.
    None when the rates are equal: no sample size shows a nil difference."""
    from statsmodels.stats.proportion import proportion_effectsize

    effect = float(proportion_effectsize(first.rate, second.rate))
    if effect == 0:
        return None
    return max(math.ceil(needed_per_arm(effect, alpha, power)) - min(first.n, second.n), 0)


def z_test(first: Arm, second: Arm) -> tuple[float, float]:
    """The pooled two-proportion z-test, two-sided: (z, p) for first minus second."""
    from statsmodels.stats.proportion import proportions_ztest

    z, p = proportions_ztest([first.successes, second.successes], [first.n, second.n])
    return float(z), float(p)


def difference_interval(first: Arm, second: Arm, alpha: float = ALPHA) -> tuple[float, float]:
    """The Newcomb interval of first's rate minus second's."""
    from statsmodels.stats.proportion import confint_proportions_2indep

    low, high = confint_proportions_2indep(
        first.successes, first.n, second.successes, second.n, compare="diff", alpha=alpha
    )
    return float(low), float(high)


def holm(p_values: list[float], alpha: float = ALPHA) -> list[float]:
    """The p-values corrected for comparing several arms, by Holm's step-down method."""
    from statsmodels.stats import multitest

    if not p_values:
        return []
    # statsmodels' Holm branch imports gc and calls gc.collect() to free an array of a
    # few floats: a full collection, over 0.1 s in a process holding scipy and Django.
    # For this call its `import gc` finds a gc whose collect does nothing (everything
    # else is the real module's); code that already imported gc is untouched.
    real_gc = sys.modules["gc"]
    sys.modules["gc"] = _GcWithoutCollect("gc")
    try:
        corrected = multitest.multipletests(p_values, alpha=alpha, method="holm")[1]
    finally:
        sys.modules["gc"] = real_gc
    return [float(p) for p in corrected]


class _GcWithoutCollect(types.ModuleType):
    @staticmethod
    def collect(*_args, **_kwargs) -> int:
        return 0

    def __getattr__(self, name: str):
        return getattr(gc, name)


def chi_square(arms: list[Arm]) -> tuple[float, float, list[list[float]]]:
    """The test that every arm has the same rate: (chi-square, p, expected counts as
    [[successes, failures] per arm])."""
    from statsmodels.stats.proportion import proportions_chisquare

    statistic, p, (_table, expected) = proportions_chisquare(
        [a.successes for a in arms], [a.n for a in arms]
    )
    return float(statistic), float(p), [[float(v) for v in row] for row in expected]


def singular(plural: str) -> str:
    """ "replies" -> "reply", "positive replies" -> "positive reply", "mails" -> "mail"."""
    if plural.endswith("ies"):
        return plural[:-3] + "y"
    return plural.removesuffix("s")


def counted(count: int, plural: str) -> str:
    return f"{count:,} {plural if count != 1 else singular(plural)}"


def percent_points(value: float) -> str:
    return f"{100 * value:.1f}"


def sample_warnings(arms: list[Arm], outcome: str, unit: str) -> list[str]:
    """Where the arms are too small for the tests' normal approximation to hold well."""
    found = []
    few = [a for a in arms if a.successes < FEW_OUTCOMES]
    if len(few) == 1:
        found.append(
            f"{few[0].label} has only {counted(few[0].successes, outcome)}: with fewer than "
            f"{FEW_OUTCOMES} the rate moves a lot by chance, so read the verdict as a first look."
        )
    elif few:
        found.append(
            f"{names([f'{a.label} ({a.successes:,})' for a in few])} have fewer than "
            f"{FEW_OUTCOMES} {outcome} each: their rates move a lot by chance, so read the "
            "verdict as a first look."
        )
    few_failures = [a for a in arms if a.successes >= FEW_OUTCOMES and a.failures < FEW_OUTCOMES]
    for arm in few_failures:
        found.append(
            f"{arm.label} has only {counted(arm.failures, unit)} without {outcome}: with fewer "
            f"than {FEW_OUTCOMES} the rate moves a lot by chance."
        )
    total, succeeded = sum(a.n for a in arms), sum(a.successes for a in arms)
    if 0 < succeeded < total:
        pooled = succeeded / total
        if any(min(a.n * pooled, a.n * (1 - pooled)) < FEW_EXPECTED for a in arms):
            found.append(
                f"An expected count is below {FEW_EXPECTED}: the test's normal approximation "
                "is unreliable at these numbers."
            )
    return found


def names(labels: list[str]) -> str:
    if len(labels) <= 1:
        return "".join(labels)
    return ", ".join(labels[:-1]) + " and " + labels[-1]


def more_words(count: int, unit: str) -> str:
    return f"about {count:,} more {unit if count != 1 else singular(unit)} per arm"


def compare(
    arms: list[Arm],
    *,
    outcome: str = "replies",
    unit: str = "prospects",
    alpha: float = ALPHA,
    power: float = POWER,
) -> Result:
    """Compare the arms' rates; raises ExperimentError when they cannot be compared.

    `outcome` and `unit` name the successes and the trials in the words of the
    verdict ("replies", "prospects"; "positive replies", "mails")."""
    problems = problems_with(arms, unit=unit, outcome=outcome)
    if problems:
        raise ExperimentError(problems)
    # The best first; ties keep the order the arms were given in.
    ranked = sorted(arms, key=lambda a: a.rate, reverse=True)
    best, others = ranked[0], ranked[1:]
    found = sample_warnings(arms, outcome, unit)
    confidence = round(100 * (1 - alpha))
    succeeded = sum(a.successes for a in arms)
    if succeeded == 0 or succeeded == sum(a.n for a in arms):
        words = (
            f"no arm has any {outcome} yet"
            if succeeded == 0
            else f"every one of the {unit} in every arm counts as {outcome}"
        )
        return Result(
            arms=arms,
            best=best,
            pairs=[],
            test="z" if len(arms) == 2 else "chi-square",
            statistic=None,
            p_value=None,
            verdict=f"Not enough data: {words}, so there is no difference to test.",
            significant=False,
            warnings=found,
            alpha=alpha,
        )
    with warnings.catch_warnings():
        # An arm at 0% or 100% makes statsmodels divide by zero inside an interval it
        # then clips; the figures it answers are the right ones.
        warnings.simplefilter("ignore", RuntimeWarning)
        tests = [z_test(best, other) for other in others]
        intervals = [difference_interval(best, other, alpha) for other in others]
        if len(arms) == 2:
            test, (statistic, overall_p) = "z", tests[0]
            adjusted = [overall_p]
            planning_alpha = alpha
        else:
            test = "chi-square"
            statistic, overall_p, _expected = chi_square(arms)
            adjusted = holm([p for _z, p in tests], alpha)
            planning_alpha = alpha / len(others)
        pairs = []
        for other, (z, p), (low, high), p_adj in zip(
            others, tests, intervals, adjusted, strict=True
        ):
            significant = p_adj < alpha and overall_p < alpha and best.rate > other.rate
            pairs.append(
                Pair(
                    best=best,
                    other=other,
                    difference=best.rate - other.rate,
                    ci_low=low,
                    ci_high=high,
                    z=z,
                    p_value=p,
                    p_adjusted=p_adj,
                    significant=significant,
                    more_per_arm=None
                    if significant
                    else more_per_arm(best, other, planning_alpha, power),
                )
            )
    return Result(
        arms=arms,
        best=best,
        pairs=pairs,
        test=test,
        statistic=statistic,
        p_value=overall_p,
        verdict=verdict(best, pairs, confidence, unit),
        significant=any(p.significant for p in pairs),
        warnings=found,
        alpha=alpha,
    )


def verdict(best: Arm, pairs: list[Pair], confidence: int, unit: str) -> str:
    """The result in plain words: who is better, and what is not known yet."""
    beaten = [p.other.label for p in pairs if p.significant]
    open_pairs = [p for p in pairs if not p.significant]
    tied = [p.other.label for p in open_pairs if p.more_per_arm is None]
    enough = [p.other.label for p in open_pairs if p.more_per_arm == 0]
    short = [p for p in open_pairs if p.more_per_arm]
    sentences = []
    if beaten and len(pairs) == 1:
        pair = pairs[0]
        sentences.append(
            f"{best.label} is better with {confidence}% confidence: its rate is "
            f"{percent_points(pair.difference)} points higher than {pair.other.label}'s "
            f"({confidence}% interval of the difference {percent_points(pair.ci_low)} to "
            f"{percent_points(pair.ci_high)} points)."
        )
    elif beaten:
        sentences.append(
            f"{best.label} is better than {names(beaten)} with {confidence}% confidence."
        )
    if short:
        most = max(p.more_per_arm for p in short)
        sentences.append(
            f"Not enough data to tell {best.label} from {names([p.other.label for p in short])}: "
            f"{more_words(most, unit)} would show a difference this size "
            f"({round(100 * POWER)}% power, {100 - confidence}% level)."
        )
    if enough:
        sentences.append(
            f"No clear difference between {best.label} and {names(enough)}: the arms are "
            "already large enough to show a difference this size most of the time, so any "
            "real difference is probably smaller."
        )
    if tied:
        sentences.append(
            f"Not enough data: {best.label} and {names(tied)} have the same rate so far, "
            "so there is no difference to show."
        )
    return " ".join(sentences)
