"""Statistics for gates and reports: Wilson intervals and the exact McNemar test."""

from __future__ import annotations

import math


def wilson_interval(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion (95% by default)."""
    if trials < 0 or not 0 <= successes <= max(trials, 0):
        raise ValueError(f"need 0 <= successes <= trials, got {successes} of {trials}")
    if trials == 0:
        return (0.0, 1.0)
    p = successes / trials
    denominator = 1 + z * z / trials
    centre = (p + z * z / (2 * trials)) / denominator
    margin = z * math.sqrt(p * (1 - p) / trials + z * z / (4 * trials * trials)) / denominator
    low = 0.0 if successes == 0 else max(0.0, centre - margin)
    high = 1.0 if successes == trials else min(1.0, centre + margin)
    return (low, high)


def mcnemar_regression_p(regressions: int, fixes: int) -> float:
    """One-sided exact McNemar p-value that the new run is worse than the baseline.

    ``regressions``: cases the baseline resolved and the new run did not;
    ``fixes``: the reverse. Under no difference each discordant pair is a fair
    coin, so p = P(X >= regressions) for X ~ Binomial(regressions + fixes, 1/2).
    """
    if regressions < 0 or fixes < 0:
        raise ValueError("counts must be non-negative")
    n = regressions + fixes
    if n == 0:
        return 1.0
    tail = sum(math.comb(n, k) for k in range(regressions, n + 1))
    return min(1.0, tail / (1 << n))
