"""The gate (harness.gate.decide_gate) and the latest-row semantics it is fed (RunDir.latest)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pytest

from harness.gate import Key, decide_gate
from harness.results import CaseResult, Outcome
from harness.run_config import RunConfig
from harness.run_meta import run_metadata
from harness.rundir import RunDir

CAPABILITY = "navigation"


def make_result(instance_id: str, status: str = "resolved", epoch: int = 1,
                **extra: Any) -> CaseResult:
    """A results.jsonl row; infra errors carry an error message and no outcome."""
    fields: dict[str, Any] = {"instance_id": instance_id, "epoch": epoch,
                              "capability": CAPABILITY, "model": "scripted://gold",
                              "status": status}
    if status == "infra_error":
        fields["error"] = "SandboxError: bwrap exited 1"
    else:
        fields["outcome"] = Outcome(resolved=status == "resolved", patch_applied=True,
                                    candidate_patch="diff --git a/x b/x\n")
    fields.update(extra)
    return CaseResult(**fields)


def make_run(statuses: dict[str, str]) -> dict[Key, CaseResult]:
    """``{instance_id: status}`` -> the ``latest`` mapping decide_gate takes."""
    rows = [make_result(instance_id, status) for instance_id, status in statuses.items()]
    return {row.key: row for row in rows}


def keys_of(ids: Iterable[str]) -> list[Key]:
    return [(instance_id, 1) for instance_id in ids]


def ids(prefix: str, count: int) -> list[str]:
    return [f"{prefix}-{i:03d}" for i in range(count)]


# --- threshold ---------------------------------------------------------------------------


def test_all_resolved_passes() -> None:
    latest = make_run({i: "resolved" for i in ids("case", 10)})
    report = decide_gate(CAPABILITY, latest.keys(), latest, threshold=0.9)
    assert report.verdict == "pass"
    assert report.reasons == []
    assert (report.cases, report.resolved, report.unresolved) == (10, 10, 0)
    assert report.pass_rate == 1.0
    assert report.infra_errors == report.not_recorded == 0
    assert report.capability == CAPABILITY


def test_below_threshold_fails_naming_the_threshold() -> None:
    statuses = {i: "resolved" for i in ids("ok", 6)} | {i: "unresolved" for i in ids("bad", 4)}
    latest = make_run(statuses)
    report = decide_gate(CAPABILITY, latest.keys(), latest, threshold=0.8)
    assert report.verdict == "fail"
    assert (report.resolved, report.unresolved) == (6, 4)
    assert report.pass_rate == pytest.approx(0.6)
    assert report.ci_low < 0.6 < report.ci_high
    assert any("threshold" in reason and re.search(r"\b80(\.0)?%", reason)
               for reason in report.reasons), report.reasons


def test_exactly_at_threshold_passes() -> None:
    statuses = {i: "resolved" for i in ids("ok", 3)} | {"bad": "unresolved"}
    latest = make_run(statuses)
    assert decide_gate(CAPABILITY, latest.keys(), latest, threshold=0.75).verdict == "pass"


def test_only_selected_keys_are_judged() -> None:
    latest = make_run({"mine": "resolved", "other-suite": "unresolved"})
    report = decide_gate(CAPABILITY, [("mine", 1)], latest, threshold=1.0)
    assert report.verdict == "pass"
    assert report.cases == 1


def test_duplicate_keys_are_counted_once() -> None:
    latest = make_run({"a": "resolved", "b": "unresolved"})
    report = decide_gate(CAPABILITY, [("a", 1), ("a", 1), ("b", 1)], latest, threshold=0.5)
    assert report.cases == 2
    assert report.pass_rate == pytest.approx(0.5)


# --- infrastructure errors and missing results --------------------------------------------


def test_infra_errors_leave_the_denominator_and_make_the_verdict_inconclusive() -> None:
    statuses = ({i: "resolved" for i in ids("ok", 3)} | {"bad": "unresolved"}
                | {i: "infra_error" for i in ids("infra", 2)})
    latest = make_run(statuses)
    report = decide_gate(CAPABILITY, latest.keys(), latest, threshold=0.7)
    assert report.infra_errors == 2
    assert report.unresolved == 1  # not 3: an infra error is not a model failure
    assert report.cases == 6
    assert report.pass_rate == pytest.approx(3 / 4)
    assert report.verdict == "inconclusive"
    assert any("infrastructure" in reason for reason in report.reasons)


def test_infra_errors_within_the_allowance_do_not_fail_the_gate() -> None:
    # Counting the 2 infra errors as failures would give 3/6 = 50% < 70%.
    statuses = ({i: "resolved" for i in ids("ok", 3)} | {"bad": "unresolved"}
                | {i: "infra_error" for i in ids("infra", 2)})
    latest = make_run(statuses)
    report = decide_gate(CAPABILITY, latest.keys(), latest, threshold=0.7,
                         max_infra_error_rate=0.5)
    assert report.verdict == "pass"
    assert report.unresolved == 1
    assert not any("threshold" in reason for reason in report.reasons)


def test_infra_error_rate_above_a_nonzero_allowance_is_inconclusive() -> None:
    statuses = {i: "resolved" for i in ids("ok", 6)} | {i: "infra_error" for i in ids("x", 4)}
    latest = make_run(statuses)
    report = decide_gate(CAPABILITY, latest.keys(), latest, threshold=0.5,
                         max_infra_error_rate=0.3)
    assert report.verdict == "inconclusive"


def test_model_failures_still_fail_when_infra_errors_are_present() -> None:
    statuses = {"ok": "resolved", "bad1": "unresolved", "bad2": "unresolved",
                "infra": "infra_error"}
    latest = make_run(statuses)
    report = decide_gate(CAPABILITY, latest.keys(), latest, threshold=0.9)
    assert report.verdict == "fail"
    assert report.infra_errors == 1


def test_planned_cases_never_recorded_make_the_gate_inconclusive_whatever_the_allowance(
        ) -> None:
    latest = make_run({i: "resolved" for i in ids("ok", 8)})
    planned = [*latest.keys(), *keys_of(ids("lost", 2))]
    report = decide_gate(CAPABILITY, planned, latest, threshold=0.5)
    assert report.not_recorded == 2
    assert report.cases == 10
    assert report.infra_errors == 0
    assert report.pass_rate == 1.0
    assert report.verdict == "inconclusive"
    assert any("2 case(s) with no result" in reason and "--resume" in reason
               for reason in report.reasons)

    tolerant = decide_gate(CAPABILITY, planned, latest, threshold=0.5, max_infra_error_rate=0.5)
    assert tolerant.verdict == "inconclusive"


def test_an_interrupted_session_says_so() -> None:
    latest = make_run({"ok": "unresolved"})
    report = decide_gate(CAPABILITY, [*latest.keys(), ("never-ran", 1)], latest, threshold=0.5,
                         interrupted=True)
    assert report.verdict == "inconclusive"
    assert any("interrupted" in reason for reason in report.reasons)


def test_an_interrupted_session_is_inconclusive_even_with_every_case_recorded() -> None:
    latest = make_run({i: "resolved" for i in ids("ok", 4)})
    report = decide_gate(CAPABILITY, latest.keys(), latest, threshold=0.5, interrupted=True)
    assert report.not_recorded == 0
    assert report.pass_rate == 1.0
    assert report.verdict == "inconclusive"
    assert any("interrupted" in reason and "--resume" in reason for reason in report.reasons)
    assert decide_gate(CAPABILITY, latest.keys(), latest, threshold=0.5).verdict == "pass"


def test_selected_keys_without_a_row_count_as_not_recorded() -> None:
    latest = make_run({i: "resolved" for i in ids("ok", 4)})
    selected = [*latest.keys(), ("never-ran", 1)]
    report = decide_gate(CAPABILITY, selected, latest, threshold=0.5)
    assert report.not_recorded == 1
    assert report.cases == 5
    assert report.verdict == "inconclusive"


@pytest.mark.parametrize("statuses", [{}, {"a": "infra_error", "b": "infra_error"}],
                         ids=["no rows", "only infra errors"])
def test_no_graded_case_is_inconclusive_not_a_failure(statuses: dict[str, str]) -> None:
    latest = make_run(statuses)
    selected = keys_of(statuses) or [("a", 1)]
    report = decide_gate(CAPABILITY, selected, latest, threshold=1.0)
    assert report.verdict == "inconclusive"
    assert any("no case was graded" in reason for reason in report.reasons)
    assert report.resolved == report.unresolved == 0


# --- baseline comparison ------------------------------------------------------------------


def test_significant_regression_against_the_baseline_fails() -> None:
    cases = ids("case", 20)
    broke = cases[:8]
    baseline = make_run({i: "resolved" for i in cases})
    latest = make_run({i: ("unresolved" if i in broke else "resolved") for i in cases})
    report = decide_gate(CAPABILITY, latest.keys(), latest, threshold=0.5, baseline=baseline,
                         baseline_name="run-2024-01-01")
    # 12/20 = 60% clears the threshold on its own; only the baseline can fail it.
    assert report.pass_rate >= report.threshold
    assert report.verdict == "fail"
    assert report.baseline is not None
    assert sorted(report.baseline.regressions) == broke
    assert report.baseline.fixes == []
    assert report.baseline.paired == 20
    assert report.baseline.significant
    assert report.baseline.p_value < 0.05
    assert any("run-2024-01-01" in reason and "regression" in reason
               for reason in report.reasons)


def test_balanced_changes_against_the_baseline_are_not_significant() -> None:
    cases = ids("case", 20)
    baseline = make_run({i: ("unresolved" if i == cases[0] else "resolved") for i in cases})
    latest = make_run({i: ("unresolved" if i == cases[1] else "resolved") for i in cases})
    report = decide_gate(CAPABILITY, latest.keys(), latest, threshold=0.5, baseline=baseline,
                         baseline_name="base")
    assert report.verdict == "pass"
    assert report.baseline is not None
    assert report.baseline.regressions == [cases[1]]
    assert report.baseline.fixes == [cases[0]]
    assert not report.baseline.significant
    assert report.reasons == []


def test_baseline_pairs_only_cases_graded_in_both_runs() -> None:
    cases = ids("case", 10)
    baseline_statuses = {i: "resolved" for i in cases}
    baseline_statuses[cases[0]] = "infra_error"  # not graded in the baseline
    del baseline_statuses[cases[1]]  # never ran in the baseline
    latest_statuses = {i: "unresolved" for i in cases}
    latest_statuses[cases[2]] = "infra_error"  # not graded now
    report = decide_gate(CAPABILITY, keys_of(cases), make_run(latest_statuses), threshold=0.0,
                         baseline=make_run(baseline_statuses), baseline_name="b",
                         max_infra_error_rate=1.0)
    assert report.baseline is not None
    assert report.baseline.paired == 7
    assert sorted(report.baseline.regressions) == cases[3:]


def test_alpha_controls_significance() -> None:
    cases = ids("case", 10)
    baseline = make_run({i: "resolved" for i in cases})
    latest = make_run({i: ("unresolved" if i in cases[:3] else "resolved") for i in cases})
    # 3 broke, 0 fixed: p = 1/8.
    lenient = decide_gate(CAPABILITY, latest.keys(), latest, threshold=0.5, baseline=baseline,
                          alpha=0.2)
    strict = decide_gate(CAPABILITY, latest.keys(), latest, threshold=0.5, baseline=baseline,
                         alpha=0.05)
    assert lenient.verdict == "fail"
    assert strict.verdict == "pass"


# --- RunDir.latest ------------------------------------------------------------------------


def _latest_after(tmp_path: Path, rows: list[CaseResult]) -> dict[Key, CaseResult]:
    run = RunDir(tmp_path / "run")
    run.create(run_metadata(RunConfig(model="oracle"), "test", [], []))
    for row in rows:
        run.append_result(row)
    return run.latest()


def test_a_final_verdict_wins_over_a_later_infra_error(tmp_path: Path) -> None:
    latest = _latest_after(tmp_path, [make_result("a", "unresolved", turns=7),
                                      make_result("a", "infra_error", attempts=2)])
    assert latest[("a", 1)].status == "unresolved"
    assert latest[("a", 1)].turns == 7


def test_a_later_final_verdict_replaces_an_earlier_infra_error(tmp_path: Path) -> None:
    latest = _latest_after(tmp_path, [make_result("a", "infra_error"),
                                      make_result("a", "resolved")])
    assert latest[("a", 1)].status == "resolved"


def test_the_last_of_several_final_verdicts_wins(tmp_path: Path) -> None:
    latest = _latest_after(tmp_path, [make_result("a", "resolved", turns=1),
                                      make_result("a", "unresolved", turns=2),
                                      make_result("a", "infra_error", turns=3)])
    assert latest[("a", 1)].status == "unresolved"
    assert latest[("a", 1)].turns == 2


def test_the_last_of_several_infra_errors_wins(tmp_path: Path) -> None:
    latest = _latest_after(tmp_path, [make_result("a", "infra_error", attempts=1),
                                      make_result("a", "infra_error", attempts=2)])
    assert latest[("a", 1)].attempts == 2


def test_latest_keys_by_instance_and_epoch(tmp_path: Path) -> None:
    latest = _latest_after(tmp_path, [make_result("a", "resolved", epoch=1),
                                      make_result("a", "unresolved", epoch=2),
                                      make_result("b", "infra_error", epoch=1)])
    assert {key: row.status for key, row in latest.items()} == {
        ("a", 1): "resolved", ("a", 2): "unresolved", ("b", 1): "infra_error"}


def test_a_retried_infra_error_that_resolved_passes_the_gate(tmp_path: Path) -> None:
    rows = [make_result(i, "resolved") for i in ids("ok", 4)]
    rows += [make_result("flaky", "infra_error"), make_result("flaky", "resolved"),
             make_result("flaky", "infra_error")]
    latest = _latest_after(tmp_path, rows)
    report = decide_gate(CAPABILITY, latest.keys(), latest, threshold=1.0)
    assert report.verdict == "pass"
    assert report.infra_errors == 0
    assert report.resolved == 5
