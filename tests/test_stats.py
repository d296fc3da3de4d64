"""Wilson score intervals and the one-sided exact McNemar test (harness.stats)."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.stats import mcnemar_regression_p, wilson_interval


@st.composite
def counts(draw: st.DrawFn, max_trials: int = 400) -> tuple[int, int]:
    """(successes, trials) with 1 <= trials and 0 <= successes <= trials."""
    trials = draw(st.integers(min_value=1, max_value=max_trials))
    successes = draw(st.integers(min_value=0, max_value=trials))
    return successes, trials


def _width(interval: tuple[float, float]) -> float:
    return interval[1] - interval[0]


# --- Wilson interval -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("successes", "trials", "low", "high"),
    [
        # Published 95% Wilson score intervals (e.g. Newcombe 1998; Brown, Cai & DasGupta 2001).
        (0, 10, 0.0, 0.2775),
        (5, 10, 0.2366, 0.7634),
    ],
)
def test_wilson_matches_published_values(successes: int, trials: int, low: float,
                                         high: float) -> None:
    got_low, got_high = wilson_interval(successes, trials)
    assert got_low == pytest.approx(low, abs=5e-5)
    assert got_high == pytest.approx(high, abs=5e-5)


@given(counts())
def test_wilson_bounds_are_ordered_probabilities(case: tuple[int, int]) -> None:
    low, high = wilson_interval(*case)
    assert 0.0 <= low <= high <= 1.0


@given(counts())
def test_wilson_contains_the_point_estimate(case: tuple[int, int]) -> None:
    successes, trials = case
    low, high = wilson_interval(successes, trials)
    assert low <= successes / trials <= high
    # A proper interval: it has width whatever the data.
    assert high - low > 0


def test_wilson_is_exact_at_the_extremes() -> None:
    assert all(wilson_interval(n, n)[1] == 1.0 for n in range(1, 200))
    assert all(wilson_interval(0, n)[0] == 0.0 for n in range(1, 200))


@given(counts())
def test_wilson_is_symmetric_under_swapping_successes_and_failures(case: tuple[int, int]) -> None:
    successes, trials = case
    low, high = wilson_interval(successes, trials)
    mirror_low, mirror_high = wilson_interval(trials - successes, trials)
    assert low == pytest.approx(1 - mirror_high, abs=1e-12)
    assert high == pytest.approx(1 - mirror_low, abs=1e-12)


@given(counts(max_trials=50), st.integers(min_value=2, max_value=20))
def test_wilson_narrows_as_trials_grow_at_a_fixed_proportion(case: tuple[int, int],
                                                             factor: int) -> None:
    successes, trials = case
    small = wilson_interval(successes, trials)
    large = wilson_interval(successes * factor, trials * factor)
    assert _width(large) < _width(small)


@pytest.mark.parametrize("proportion", [Fraction(0), Fraction(1, 10), Fraction(1, 2),
                                        Fraction(3, 4), Fraction(1)])
def test_wilson_width_shrinks_monotonically_along_a_sequence(proportion: Fraction) -> None:
    base = proportion.denominator
    widths = [_width(wilson_interval(int(proportion * base * m), base * m))
              for m in (1, 2, 4, 8, 16, 32, 64)]
    assert all(later < earlier for earlier, later in itertools.pairwise(widths))


@given(counts())
def test_a_larger_z_gives_a_wider_interval(case: tuple[int, int]) -> None:
    narrow = wilson_interval(*case, z=1.0)
    wide = wilson_interval(*case, z=2.5)
    assert wide[0] <= narrow[0] + 1e-12
    assert wide[1] >= narrow[1] - 1e-12
    assert _width(wide) > _width(narrow)


def test_wilson_with_no_trials_says_nothing_is_known() -> None:
    assert wilson_interval(0, 0) == (0.0, 1.0)


@pytest.mark.parametrize(("successes", "trials"), [(-1, 10), (11, 10), (100, 3)])
def test_wilson_rejects_successes_outside_the_trials(successes: int, trials: int) -> None:
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(successes, trials)


# --- McNemar ---------------------------------------------------------------------------


def _brute_force_upper_tail(regressions: int, fixes: int) -> Fraction:
    """P(X >= regressions), X ~ Bin(n, 1/2), by enumerating every one of the 2^n outcomes."""
    n = regressions + fixes
    outcomes = list(itertools.product((0, 1), repeat=n))
    at_least = sum(1 for outcome in outcomes if sum(outcome) >= regressions)
    return Fraction(at_least, len(outcomes))


def test_mcnemar_without_discordant_pairs_is_one() -> None:
    assert mcnemar_regression_p(0, 0) == 1.0


def test_mcnemar_five_regressions_no_fixes() -> None:
    # All five discordant pairs went the bad way: (1/2)^5.
    assert mcnemar_regression_p(5, 0) == pytest.approx(1 / 32, rel=1e-12)


@pytest.mark.parametrize(("regressions", "fixes"),
                         [(b, c) for b in range(0, 8) for c in range(0, 8) if b + c <= 12])
def test_mcnemar_equals_brute_force_binomial_tail(regressions: int, fixes: int) -> None:
    expected = _brute_force_upper_tail(regressions, fixes)
    assert mcnemar_regression_p(regressions, fixes) == pytest.approx(float(expected), rel=1e-12)


@given(st.integers(0, 200), st.integers(0, 200))
def test_mcnemar_is_a_probability(regressions: int, fixes: int) -> None:
    assert 0.0 <= mcnemar_regression_p(regressions, fixes) <= 1.0


@given(st.integers(0, 200))
def test_mcnemar_without_regressions_is_never_significant(fixes: int) -> None:
    assert mcnemar_regression_p(0, fixes) == 1.0


# Kept to n <= 51 so that neighbouring p-values near 1 still differ in double precision.
@given(st.integers(0, 25), st.integers(0, 25))
def test_mcnemar_more_regressions_give_a_smaller_p(regressions: int, fixes: int) -> None:
    p = mcnemar_regression_p(regressions, fixes)
    worse = mcnemar_regression_p(regressions + 1, fixes)
    assert worse < p


@given(st.integers(1, 25), st.integers(0, 25))
def test_mcnemar_more_fixes_give_a_larger_p(regressions: int, fixes: int) -> None:
    p = mcnemar_regression_p(regressions, fixes)
    better = mcnemar_regression_p(regressions, fixes + 1)
    assert better > p


@pytest.mark.parametrize(("regressions", "fixes"), [(-1, 0), (0, -1), (-3, -3)])
def test_mcnemar_rejects_negative_counts(regressions: int, fixes: int) -> None:
    with pytest.raises(ValueError):
        mcnemar_regression_p(regressions, fixes)
