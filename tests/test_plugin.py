"""The pytest plugin end to end with ``pytester``: items, gate, exit status, xdist, resume,
bad options, interrupted and crashed runs, own hooks, plugged-in policies."""

from __future__ import annotations

import json
from collections.abc import Callable
from fnmatch import fnmatch
from pathlib import Path

import pytest

from harness.bank import Bank
from harness.rundir import RunDir


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
    assert again.ret == 4
    again.stderr.fnmatch_lines(["ERROR: *already exists; pass --resume*"])
    other_model = run(suite, "--model", "null", "--resume", "--run-dir", str(run_dir))
    other_model.stderr.fnmatch_lines(["ERROR: cannot resume*oracle*"])
    assert other_model.ret == 4
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
    assert result.ret == 4
    result.stderr.fnmatch_lines([f"ERROR: {bank}:2: field 'patch': Field required"])


def test_baseline_comparison_is_reported(suite: pytest.Pytester) -> None:
    baseline = suite.path / "baseline"
    run(suite, "--model", "oracle", "--run-dir", str(baseline)).assert_outcomes(passed=3)
    result = run(suite, "--model", "null", "--gate-pass-rate", "0", "--baseline", str(baseline),
                 "--run-dir", str(suite.path / "run"))
    result.stdout.fnmatch_lines(["*vs baseline (3 paired): 0 fixed, 3 broken, p=0.125*"])
    assert result.ret == 0


def test_epochs_and_case_selection(suite: pytest.Pytester) -> None:
    result = run(suite, "--model", "oracle", "--epochs", "2", "--cases", "calc-00[12]",
                 "--collect-only", "-q")
    assert result.ret == 0  # collecting runs nothing: no gate is decided
    assert "harness gate" not in result.stdout.str()
    result.stdout.fnmatch_lines(["*test_case?calc-001@1?", "*test_case?calc-001@2?",
                                 "*test_case?calc-002@1?", "*test_case?calc-002@2?"])
    none = run(suite, "--model", "oracle", "--cases", "zzz")
    none.stderr.fnmatch_lines(["ERROR: --cases 'zzz' matches no case*"])
    assert none.ret == 4


def test_a_model_is_required(suite: pytest.Pytester) -> None:
    result = run(suite)
    assert result.ret == 4
    result.stderr.fnmatch_lines(["ERROR: choose a model with --model*"])


def test_a_suite_reads_several_banks_and_refuses_a_case_in_two(pytester: pytest.Pytester,
                                                               tiny_bank: Bank) -> None:
    lines = tiny_bank.path.read_text().splitlines()
    first, second = pytester.path / "first.jsonl", pytester.path / "second.jsonl"
    first.write_text(lines[0] + "\n")
    second.write_text("\n".join(lines[1:]) + "\n")
    module = ("import pytest\nfrom harness.pytest_plugin import assert_resolved\n\n"
              "pytestmark = pytest.mark.harness_suite(capability='navigation', "
              "banks=['first.jsonl', 'second.jsonl'])\n\n\n"
              "def test_case(case_result):\n    assert_resolved(case_result)\n")
    pytester.makepyfile(test_suite=module)
    listed = run(pytester, "--model", "oracle", "--collect-only", "-q")
    listed.stdout.fnmatch_lines(["*test_case?calc-001?", "*test_case?calc-002?",
                                 "*test_case?calc-003?"])
    second.write_text("\n".join(lines) + "\n")
    clash = run(pytester, "--model", "oracle", "--collect-only", "-q")
    assert clash.ret == 4
    clash.stderr.fnmatch_lines([f"ERROR: case 'calc-001' is in both {second} and {first}*"])


# --- bad options: one line, exit 4, with or without xdist -------------------------------

WORKERS = [pytest.param(["-n", "0"], id="no-xdist"), pytest.param(["-n", "2"], id="xdist")]


def assert_usage_error(result: pytest.RunResult, expected: str) -> None:
    """Exit 4 and one line that says what to do, no traceback, no internal error."""
    assert result.ret == 4, (result.stdout.str(), result.stderr.str())
    errors = [line for line in result.stderr.lines if line.strip()]
    assert len(errors) == 1, errors
    assert fnmatch(errors[0], f"ERROR: {expected}"), errors[0]
    assert "Traceback" not in result.stdout.str() + result.stderr.str()
    assert "INTERNALERROR" not in result.stdout.str() + result.stderr.str()


@pytest.mark.parametrize("workers", WORKERS)
@pytest.mark.parametrize(("options", "expected"), [
    (["--gate-pass-rate", "2"], "--gate-pass-rate is a share of cases: give a number in *"),
    (["--max-infra-error-rate", "-0.1"], "--max-infra-error-rate is a share of cases*"),
    (["--max-turns", "-1"], "--max-turns must be at least 1, got -1"),
    (["--epochs", "0"], "--epochs must be at least 1, got 0"),
    (["--case-timeout", "0"], "--case-timeout must be a positive number of seconds*"),
    (["--bank", "missing.jsonl"], "--bank missing.jsonl: no such file*"),
    (["--cases=@absent.txt"], "--cases @absent.txt: no such file*"),
    (["--baseline", "runs/nope"], "--baseline runs/nope: not a run directory*"),
    (["--model", "replay:nowhere"], "replay: nowhere does not exist*"),
    (["--model", "gpt-9"], "unknown model 'gpt-9'*"),
    (["--cases", "zzz"], "--cases 'zzz' matches no case of the bank"),
], ids=lambda value: value[0] if isinstance(value, list) else None)
def test_a_bad_option_is_a_usage_error_with_one_line(suite: pytest.Pytester, workers: list[str],
                                                     options: list[str], expected: str) -> None:
    model = [] if "--model" in options else ["--model", "oracle"]
    assert_usage_error(run(suite, *model, *options, *workers), expected)


@pytest.mark.parametrize("workers", WORKERS)
def test_a_malformed_bank_or_a_missing_model_is_a_usage_error(suite: pytest.Pytester,
                                                              tiny_bank: Bank,
                                                              workers: list[str]) -> None:
    lines = tiny_bank.path.read_text().splitlines()
    row = json.loads(lines[1])
    row["expected"] = {"files": "not a list"}
    bank = suite.path / "bad.jsonl"
    bank.write_text("\n".join([lines[0], json.dumps(row)]) + "\n")
    assert_usage_error(run(suite, "--model", "oracle", "--bank", str(bank), *workers),
                       f"{bank}:2: field 'expected.files': Input should be a valid list")
    assert_usage_error(run(suite, *workers), "choose a model with --model*")


@pytest.mark.parametrize("workers", WORKERS)
def test_a_baseline_must_share_cases_and_the_gate_says_how_many(suite: pytest.Pytester,
                                                                workers: list[str]) -> None:
    other = suite.path / "other"
    run(suite, "--model", "oracle", "--cases", "calc-001", "--run-dir", str(other))
    assert_usage_error(run(suite, "--model", "oracle", "--cases", "calc-00[23]",
                           "--baseline", str(other), *workers),
                       f"--baseline {other} shares none of the 2 selected navigation cases*")
    paired = run(suite, "--model", "oracle", "--baseline", str(other), *workers,
                 "--run-dir", str(suite.path / f"paired{len(workers)}"))
    paired.stdout.fnmatch_lines(["*vs baseline (1 paired): 0 fixed, 0 broken*"])


# --- what the gate counts, and where it is printed ---------------------------------------


def test_the_gate_is_the_last_thing_printed(suite: pytest.Pytester) -> None:
    result = run(suite, "--model", "null", "-ra", "--run-dir", str(suite.path / "run"))
    lines = [line for line in result.stdout.lines if line.strip()]
    summary = max(i for i, line in enumerate(lines) if "3 failed in" in line)
    assert "harness gate" in lines[summary + 1]
    assert lines[summary + 2].startswith("navigation: FAIL  0/3 resolved")
    assert lines[-1].startswith("run directory: ")
    assert not any(line.startswith("FAILED") for line in lines[summary:])


INTERRUPT_AFTER_TWO = """
import os
import signal

finished = []


def pytest_harness_case_finished(item, result):
    finished.append(result.instance_id)
    if len(finished) == 2:
        os.kill(os.getpid(), signal.SIGINT)
"""


def test_an_interrupted_run_is_inconclusive_and_the_unrun_cases_not_recorded(
        suite: pytest.Pytester) -> None:
    suite.makeconftest(INTERRUPT_AFTER_TWO)
    run_dir = suite.path / "run"
    result = run(suite, "--model", "oracle", "--run-dir", str(run_dir))
    assert result.ret == pytest.ExitCode.INTERRUPTED
    result.stdout.fnmatch_lines(["*navigation: INCONCLUSIVE  2/2 resolved*not recorded: 1*",
                                 "*1 case(s) with no result (the session was interrupted)*"])
    record = RunDir(run_dir).gate()
    assert record is not None and record.interrupted
    assert record.gates[0].verdict == "inconclusive"
    assert record.lost_items == ["test_suite.py::test_case[calc-003]"]


KILL_A_TOY_WORKER = """
import os
import signal


def pytest_harness_case_started(item, task, epoch):
    if task.instance_id == "toy-crash":
        os.kill(os.getpid(), signal.SIGKILL)
"""


def test_two_capabilities_in_one_session_count_a_crashed_workers_case_where_it_belongs(
        toy_suite: pytest.Pytester, tiny_suite_module: str,
        toy_bank_rows: Callable[[list[str]], str]) -> None:
    toy_suite.makepyfile(test_navigation=tiny_suite_module)
    (toy_suite.path / "toy.jsonl").write_text(toy_bank_rows(["arith", "crash"]))
    toy_suite.makeconftest(KILL_A_TOY_WORKER)
    run_dir = toy_suite.path / "run"
    result = run(toy_suite, "--model", "oracle", "-n", "2", "--run-dir", str(run_dir))
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines(["*navigation: PASS  3/3 resolved*not recorded: 0*"])
    result.stdout.fnmatch_lines(["*toy: INCONCLUSIVE  1/1 resolved*not recorded: 1*"])
    record = RunDir(run_dir).gate()
    assert record is not None
    assert {g.capability: (g.verdict, g.not_recorded) for g in record.gates} == {
        "navigation": ("pass", 0), "toy": ("inconclusive", 1)}
    assert record.lost_items == ["test_toy.py::test_case[toy-crash]"]


# --- own hooks, plugged-in policies, what a plain pytest run loads -----------------------

WATCH_HOOKS = """
import json

seen = []


def pytest_harness_case_started(item, task, epoch):
    seen.append(["started", task.instance_id, epoch])


def pytest_harness_case_finished(item, result):
    seen.append(["finished", result.instance_id, result.status])


def pytest_harness_gate_decided(config, gates):
    seen.append(["gate", gates[0].capability, gates[0].verdict])
    with open("hooks.json", "w") as handle:
        json.dump(seen, handle)
"""


def test_own_hooks_see_each_case_and_the_gate(suite: pytest.Pytester) -> None:
    suite.makeconftest(WATCH_HOOKS)
    run(suite, "--model", "oracle", "--cases", "calc-001",
        "--run-dir", str(suite.path / "run")).assert_outcomes(passed=1)
    assert json.loads((suite.path / "hooks.json").read_text()) == [
        ["started", "calc-001", 1], ["finished", "calc-001", "resolved"],
        ["gate", "navigation", "pass"]]


MY_AGENT = """
from harness.policies.scripted import ScriptedPolicy
from harness.trajectory import AssistantTurn


def make_policy(task, argument):
    return ScriptedPolicy(f"myagent:{argument}", [AssistantTurn(final=f"{argument}, no fix")])
"""


def test_a_policy_from_another_package_loads_through_its_entry_point(
        suite: pytest.Pytester) -> None:
    suite.makepyfile(my_agent=MY_AGENT)
    info = suite.path / "my_agent-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: my-agent\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[harness.policies]\nmyagent = my_agent:make_policy\n")
    run_dir = suite.path / "run"
    result = run(suite, "--model", "myagent:hello", "--run-dir", str(run_dir))
    result.assert_outcomes(failed=3)
    result.stdout.fnmatch_lines(["*navigation: FAIL  0/3 resolved*"])
    trajectory = json.loads((run_dir / "trajectories" / "calc-001.json").read_text())
    assert trajectory["model"] == "myagent:hello"
    assert trajectory["messages"][-1]["content"] == "hello, no fix"


def test_a_plain_pytest_run_does_not_load_the_harness(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(test_plain="""
import sys


def test_nothing_of_the_harness_is_loaded():
    loaded = [name for name in ("harness.pytest_session", "harness.runner", "httpx",
                                "tiktoken", "pydantic") if name in sys.modules]
    assert loaded == []
""")
    run(pytester, "-p", "no:hypothesispytest").assert_outcomes(passed=1)
