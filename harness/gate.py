"""The gate: does a run pass its threshold and show no significant regression?"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Literal

from pydantic import BaseModel, Field

from harness.results import CaseResult
from harness.stats import mcnemar_regression_p, wilson_interval

Verdict = Literal["pass", "fail", "inconclusive"]
Key = tuple[str, int]


class BaselineComparison(BaseModel):
    """Paired comparison with a baseline run over the cases both resolved or not."""

    baseline: str
    paired: int
    regressions: list[str] = Field(description="resolved in the baseline, not now")
    fixes: list[str] = Field(description="resolved now, not in the baseline")
    p_value: float
    significant: bool


class GateReport(BaseModel):
    """The verdict of one capability's gate and the numbers behind it."""

    capability: str
    cases: int
    resolved: int
    unresolved: int
    infra_errors: int
    not_recorded: int
    pass_rate: float
    ci_low: float
    ci_high: float
    threshold: float
    failures: dict[str, int] = Field(default_factory=dict, description="unresolved cases by "
                                     "kind: model, tampering, timeout, resource_limit")
    baseline: BaselineComparison | None = None
    verdict: Verdict
    reasons: list[str]


def decide_gate(capability: str, keys: Iterable[Key], latest: Mapping[Key, CaseResult],
                threshold: float, baseline: Mapping[Key, CaseResult] | None = None,
                baseline_name: str = "", alpha: float = 0.05,
                max_infra_error_rate: float = 0.0, interrupted: bool = False) -> GateReport:
    """Judge the selected cases; infrastructure errors are counted apart, never as failures.

    A selected case with no row at all (never run: an interrupted session, a crashed
    worker), or an interrupted session, makes the gate inconclusive whatever the
    numbers; infrastructure errors do so beyond ``max_infra_error_rate``.
    """
    keys = sorted(set(keys))
    rows = [latest[k] for k in keys if k in latest]
    graded = [r for r in rows if r.is_final]
    resolved = sum(r.status == "resolved" for r in graded)
    infra = len(rows) - len(graded)
    missing = len(keys) - len(rows)
    rate = resolved / len(graded) if graded else 0.0
    low, high = wilson_interval(resolved, len(graded))
    reasons: list[str] = []
    verdict: Verdict = "pass"
    if infra:
        reasons.append(f"{infra} infrastructure error(s) (not model failures; re-run with "
                       "--resume to retry them)")
    if not graded:
        verdict = "inconclusive"
        reasons.append("no case was graded")
    elif keys and infra / len(keys) > max_infra_error_rate:
        verdict = "inconclusive"
    if graded and rate < threshold:
        verdict = "fail"
        reasons.append(f"pass rate {rate:.1%} is below the gate threshold {threshold:.1%}")
    failures = Counter(r.failure_kind or "model" for r in graded if r.status != "resolved")
    if failures.get("tampering"):
        reasons.append(f"{failures['tampering']} case(s) tried to fool the grader "
                       "(tampering: unresolved, see outcome.tampering)")
    comparison = None
    if baseline is not None:
        comparison = compare_with_baseline(graded, baseline, baseline_name, alpha)
        if comparison.significant:
            verdict = "fail"
            reasons.append(f"significant regression against {baseline_name}: "
                           f"{len(comparison.regressions)} case(s) broke, "
                           f"{len(comparison.fixes)} fixed (McNemar p={comparison.p_value:.3g})")
    if missing:
        verdict = "inconclusive"
        why = "the session was interrupted" if interrupted else "a worker crashed, or the " \
            "session stopped early"
        reasons.append(f"{missing} case(s) with no result ({why}); finish the run with "
                       "--resume")
    elif interrupted:
        verdict = "inconclusive"
        reasons.append("the session was interrupted (every selected case has a row, but "
                       "the run did not end on its own); re-run with --resume to confirm")
    return GateReport(capability=capability, cases=len(keys), resolved=resolved,
                      unresolved=len(graded) - resolved, infra_errors=infra, not_recorded=missing,
                      pass_rate=rate, ci_low=low, ci_high=high, threshold=threshold,
                      failures=dict(sorted(failures.items())), baseline=comparison,
                      verdict=verdict, reasons=reasons)


def compare_with_baseline(graded: list[CaseResult], baseline: Mapping[Key, CaseResult],
                          name: str, alpha: float) -> BaselineComparison:
    """McNemar's exact test on the cases graded in both runs."""
    regressions, fixes, paired = [], [], 0
    for row in graded:
        before = baseline.get(row.key)
        if before is None or not before.is_final:
            continue
        paired += 1
        was, now = before.status == "resolved", row.status == "resolved"
        if was and not now:
            regressions.append(row.instance_id)
        elif now and not was:
            fixes.append(row.instance_id)
    p_value = mcnemar_regression_p(len(regressions), len(fixes))
    return BaselineComparison(baseline=name, paired=paired, regressions=regressions, fixes=fixes,
                              p_value=p_value, significant=p_value < alpha)


def gate_line(gate: GateReport) -> str:
    """One line: the verdict and the numbers behind it."""
    line = (f"{gate.capability}: {gate.verdict.upper()}  {gate.resolved}/"
            f"{gate.resolved + gate.unresolved} resolved, pass rate {gate.pass_rate:.1%} "
            f"(95% CI {gate.ci_low:.1%}-{gate.ci_high:.1%}), gate >= {gate.threshold:.1%}; "
            f"infrastructure errors: {gate.infra_errors}, not recorded: {gate.not_recorded}")
    if gate.failures.get("tampering"):
        line += f", tampering: {gate.failures['tampering']}"
    if gate.baseline is not None:
        line += (f"; vs baseline ({gate.baseline.paired} paired): "
                 f"{len(gate.baseline.fixes)} fixed, {len(gate.baseline.regressions)} broken, "
                 f"p={gate.baseline.p_value:.3g}")
    return line
