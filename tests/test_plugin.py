"""The pytest plugin end to end with ``pytester``: items, gate, exit status, xdist, resume."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from harness.rundir import RunDir
from harness.task import Bank


@pytest.fixture
def suite(pytester: pytest.Pytester, tiny_suite_module: str) -> pytest.Pytester:
    pytester.makepyfile(test_suite=tiny_suite_module)
    return pytester


def run(pytester: pytest.Pytester, *args: str) -> pytest.RunResult:
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", *args)


def rows(run_dir: Path) -> list[tuple[str, str]]:
    return sorted((r.instance_id, r.status) for r in RunDir(run_dir).results())


def test_oracle_resolves_every_case_and_passes_the_gate(suite: pytest.Pytester) -> None:
    run_dir = suite.path / "run"
    result = run(suite, "--model", "oracle", "--run-dir", str(run_dir), "-v")
    result.assert_outcomes(passed=3)
    assert result.ret == 0
    result.stdout.fnmatch_lines(["*test_case?calc-001? PASSED*",
                                 "*navigation: PASS  3/3 resolved, pass rate 100.0% (95% CI*"])
    assert rows(run_dir) == [("calc-001", "resolved"), ("calc-002", "resolved"),
                             ("calc-003", "resolved")]
    meta = json.loads((run_dir / "meta.json").read_text())
    assert meta["model"] == "oracle" and meta["isolation"] in ("bwrap", "none")
    assert len(list((run_dir / "trajectories").glob("*.json"))) == 3
    assert json.loads((run_dir / "gate.json").read_text())["gates"][0]["verdict"] == "pass"


def test_null_fails_every_case_and_the_gate_says_why(suite: pytest.Pytester) -> None:
    result = run(suite, "--model", "null", "--run-dir", str(suite.path / "run"))
    result.assert_outcomes(failed=3)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*calc-001: no change submitted*",
                                 "*navigation: FAIL  0/3 resolved*",
                                 "*pass rate 0.0% is below the gate threshold 50.0%*"])


def test_the_gate_not_the_test_count_decides_the_exit_status(suite: pytest.Pytester) -> None:
    result = run(suite, "--model", "null", "--gate-pass-rate", "0",
                 "--run-dir", str(suite.path / "run"))
    result.assert_outcomes(failed=3)
    assert result.ret == 0


def test_xdist_workers_share_one_run_directory(suite: pytest.Pytester) -> None:
    run_dir = suite.path / "run"
    result = run(suite, "--model", "oracle", "-n", "2", "--run-dir", str(run_dir))
    result.assert_outcomes(passed=3)
    assert result.ret == 0
    workers = {r.worker for r in RunDir(run_dir).results()}
    assert workers <= {"gw0", "gw1"} and len(RunDir(run_dir).results()) == 3


def test_resume_skips_recorded_cases_and_records_each_once(suite: pytest.Pytester) -> None:
    run_dir = suite.path / "run"
    first = run(suite, "--model", "oracle", "--cases", "calc-001", "--run-dir", str(run_dir))
    first.assert_outcomes(passed=1)
    again = run(suite, "--model", "oracle", "--run-dir", str(run_dir))
    assert again.ret != 0
    again.stdout.fnmatch_lines(["*already exists; pass --resume*"])
    other_model = run(suite, "--model", "null", "--resume", "--run-dir", str(run_dir))
    other_model.stdout.fnmatch_lines(["*cannot resume*oracle*"])
    assert other_model.ret != 0
    resumed = run(suite, "--model", "oracle", "--resume", "--run-dir", str(run_dir))
    resumed.assert_outcomes(passed=2, skipped=1)
    assert resumed.ret == 0
    assert [r[0] for r in rows(run_dir)] == ["calc-001", "calc-002", "calc-003"]


def test_infrastructure_errors_are_errors_not_failures(suite: pytest.Pytester,
                                                       tiny_bank: Bank) -> None:
    broken = [json.loads(line) for line in tiny_bank.path.read_text().splitlines()]
    for row in broken:
        row["repo_source"]["path"] = "/nonexistent/source"
    bank = suite.path / "broken.jsonl"
    bank.write_text("".join(json.dumps(row) + "\n" for row in broken))
    result = run(suite, "--model", "oracle", "--bank", str(bank), "--infra-retries", "1",
                 "--run-dir", str(suite.path / "run"))
    result.assert_outcomes(errors=3)
    assert result.ret == 1
    result.stdout.fnmatch_lines(["*navigation: INCONCLUSIVE*infrastructure errors: 3*",
                                 "*not model failures*"])
    assert {r.attempts for r in RunDir(suite.path / "run").results()} == {2}


def test_a_malformed_bank_row_names_file_line_and_field(suite: pytest.Pytester,
                                                        tiny_bank: Bank) -> None:
    lines = tiny_bank.path.read_text().splitlines()
    row = json.loads(lines[1])
    del row["patch"]
    bank = suite.path / "bad.jsonl"
    bank.write_text("\n".join([lines[0], json.dumps(row), lines[2]]) + "\n")
    result = run(suite, "--model", "oracle", "--bank", str(bank))
    assert result.ret != 0
    result.stdout.fnmatch_lines([f"*{bank}:2: field 'patch': Field required*"])


def test_baseline_comparison_is_reported(suite: pytest.Pytester) -> None:
    baseline = suite.path / "baseline"
    run(suite, "--model", "oracle", "--run-dir", str(baseline)).assert_outcomes(passed=3)
    result = run(suite, "--model", "null", "--gate-pass-rate", "0", "--baseline", str(baseline),
                 "--run-dir", str(suite.path / "run"))
    result.stdout.fnmatch_lines(["*vs baseline: 0 fixed, 3 broken, p=0.125*"])
    assert result.ret == 0


def test_epochs_and_case_selection(suite: pytest.Pytester) -> None:
    result = run(suite, "--model", "oracle", "--epochs", "2", "--cases", "calc-00[12]",
                 "--collect-only", "-q")
    result.stdout.fnmatch_lines(["*test_case?calc-001@1?", "*test_case?calc-001@2?",
                                 "*test_case?calc-002@1?", "*test_case?calc-002@2?"])
    none = run(suite, "--model", "oracle", "--cases", "zzz")
    none.stdout.fnmatch_lines(["*--cases 'zzz' matches no case*"])
    assert none.ret != 0


def test_a_model_is_required(suite: pytest.Pytester) -> None:
    result = run(suite)
    assert result.ret != 0
    result.stdout.fnmatch_lines(["*choose a model with --model*"])


def test_a_suite_reads_several_banks_and_refuses_a_case_in_two(pytester: pytest.Pytester,
                                                               tiny_bank: Bank) -> None:
    lines = tiny_bank.path.read_text().splitlines()
    first, second = pytester.path / "first.jsonl", pytester.path / "second.jsonl"
    first.write_text(lines[0] + "\n")
    second.write_text("\n".join(lines[1:]) + "\n")
    module = ("import pytest\nfrom harness.pytest_plugin import assert_resolved\n\n"
              "pytestmark = pytest.mark.harness_suite(capability='navigation', "
              "bank=['first.jsonl', 'second.jsonl'], gate_pass_rate=0.5)\n\n\n"
              "def test_case(case_result):\n    assert_resolved(case_result)\n")
    pytester.makepyfile(test_suite=module)
    listed = run(pytester, "--model", "oracle", "--collect-only", "-q")
    listed.stdout.fnmatch_lines(["*test_case?calc-001?", "*test_case?calc-002?",
                                 "*test_case?calc-003?"])
    second.write_text("\n".join(lines) + "\n")
    clash = run(pytester, "--model", "oracle", "--collect-only", "-q")
    assert clash.ret != 0
    clash.stdout.fnmatch_lines([f"*case 'calc-001' is in both {second} and {first}*"])
