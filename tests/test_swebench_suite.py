"""The SWE-bench suites end to end, as users run them, on a stand-in for an official image.

No registry is reachable here, so the instance image is built offline (``harness images
standin``: the base image, the project's venv where the conda env ``testbed`` is, the
checkout at /testbed) and tagged with the official name. The row has the real rows'
fields and an eval script of the official template; the suite runs
``pytest suites/swe_bench_verified --sandbox docker --bank rows.jsonl`` as a user would.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tiny_project import TINY_FILES

from harness.datasets.swebench import load_swebench
from harness.datasets.swebench_spec import instance_image_name
from harness.grading.official import OfficialHarness
from harness.results import Submission
from harness.rundir import RunDir
from harness.sandbox.backends import sandbox_opener
from harness.sandbox.environments import EnvSpec
from harness.task import Task

pytest.importorskip("swebench", reason="the swebench extra is not installed")
pytestmark = [pytest.mark.docker, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[1]
INSTANCE = "fixtures__calc-1"
ARITH = "calc/ops/arith.py"
TESTS = "tests/test_arith.py"
HEREDOC = "EOF_114329324912"
SUB_FIXED = "def sub(a: int, b: int) -> int:\n    return a - b\n"
SUB_BUGGY = "def sub(a: int, b: int) -> int:\n    return a + b\n"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True,
                          text=True).stdout


def diff_of(repo: Path, path: str, new_text: str) -> str:
    """The patch that turns ``path`` of the committed tree into ``new_text``."""
    original = (repo / path).read_text()
    (repo / path).write_text(new_text)
    patch = git(repo, "diff", "--", path)
    (repo / path).write_text(original)
    return patch


def official_eval_script(base: str, test_patch: str, test_files: list[str]) -> str:
    """An eval script of the official template (as SWE-bench 5.x rows carry it)."""
    files = " ".join(test_files)
    return "\n".join([
        "#!/bin/bash", "set -uxo pipefail", "source /opt/miniconda3/bin/activate",
        "conda activate testbed", "cd /testbed",
        "git config --global --add safe.directory /testbed", "cd /testbed", "git status",
        "git show", f"git -c core.fileMode=false diff {base}",
        "source /opt/miniconda3/bin/activate", "conda activate testbed",
        f"git checkout {base} {files}", f"git apply -v - <<'{HEREDOC}'\n{test_patch}{HEREDOC}",
        ": '>>>>> Start Test Output'", f"pytest -rA {files}", ": '>>>>> End Test Output'",
        f"git checkout {base} {files}", ""])


@pytest.fixture(scope="module")
def checkout(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The tiny project at a buggy base commit (``sub`` adds), as a git checkout."""
    repo = tmp_path_factory.mktemp("calc-upstream")
    for relative, text in TINY_FILES.items():
        (repo / relative).parent.mkdir(parents=True, exist_ok=True)
        (repo / relative).write_text(text)
    arith = repo / ARITH
    arith.write_text(arith.read_text().replace(SUB_FIXED, SUB_BUGGY))
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "upstream")
    return repo


@pytest.fixture(scope="module")
def verified_row(checkout: Path, docker_engine: Any) -> dict[str, Any]:
    """A Verified-format row over the tiny project, its image a stand-in with the official
    name (built once)."""
    from harness.sandbox.images import build_standin_image

    base = git(checkout, "rev-parse", "HEAD").strip()
    arith = (checkout / ARITH).read_text()
    tests = (checkout / TESTS).read_text()
    patch = diff_of(checkout, ARITH, arith.replace(SUB_BUGGY, SUB_FIXED))
    test_patch = diff_of(checkout, TESTS, tests.replace("import add\n", "import add, sub\n")
                         + "\n\ndef test_sub():\n    assert sub(5, 2) == 3\n")
    image = instance_image_name(INSTANCE)
    build_standin_image(docker_engine, image, checkout, EnvSpec())
    return {
        "repo": "fixtures/calc", "instance_id": INSTANCE, "base_commit": base, "patch": patch,
        "test_patch": test_patch, "problem_statement": "sub(5, 2) returns 7 instead of 3.",
        "hints_text": "", "created_at": "2026-01-01T00:00:00Z", "version": "0.1",
        "FAIL_TO_PASS": json.dumps([f"{TESTS}::test_sub"]),
        "PASS_TO_PASS": json.dumps([f"{TESTS}::test_add"]),
        "environment_setup_commit": base, "image": image, "log_parser": "parse_log_pytest",
        "eval_type": "pass_and_fail", "difficulty": "<15 min fix",
        "eval_script": official_eval_script(base, test_patch, [TESTS]),
    }


@pytest.fixture
def rows_file(tmp_path: Path) -> Callable[[list[dict[str, Any]]], Path]:
    def write(rows: list[dict[str, Any]]) -> Path:
        path = tmp_path / "rows.jsonl"
        path.write_text("".join(json.dumps(row) + "\n" for row in rows))
        return path

    return write


def run_suite(suite: str, bank: Path, run_dir: Path, model: str,
              ) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", f"suites/{suite}", "-p", "no:cacheprovider",
         "--sandbox", "docker", "--model", model, "--bank", str(bank), "--run-dir",
         str(run_dir)], cwd=REPO_ROOT, capture_output=True, text=True, timeout=1200)


def test_the_oracle_resolves_a_verified_row_and_the_official_report_is_written(
        verified_row: dict[str, Any], rows_file: Callable[[list[dict[str, Any]]], Path],
        tmp_path: Path) -> None:
    result = run_suite("swe_bench_verified", rows_file([verified_row]), tmp_path / "run",
                       "oracle")
    assert result.returncode == 0, result.stdout[-4000:]
    assert "1 passed" in result.stdout
    (row,) = RunDir(tmp_path / "run").latest().values()
    assert row.status == "resolved" and row.outcome is not None
    assert row.outcome.fail_to_pass == {f"{TESTS}::test_sub": "passed"}
    report = json.loads((tmp_path / "run" / "reports" / INSTANCE / "report.json").read_text())
    assert report[INSTANCE]["resolved"] is True
    assert report[INSTANCE]["tests_status"]["FAIL_TO_PASS"]["success"] == [f"{TESTS}::test_sub"]


def test_null_does_not_resolve_a_verified_row(
        verified_row: dict[str, Any], rows_file: Callable[[list[dict[str, Any]]], Path],
        tmp_path: Path) -> None:
    result = run_suite("swe_bench_verified", rows_file([verified_row]), tmp_path / "run",
                       "null")
    assert result.returncode == 1, result.stdout[-4000:]
    assert "1 failed" in result.stdout
    (row,) = RunDir(tmp_path / "run").latest().values()
    assert row.status == "unresolved"


def test_the_family_refuses_the_local_sandbox(
        verified_row: dict[str, Any], rows_file: Callable[[list[dict[str, Any]]], Path],
        tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "suites/swe_bench_verified", "-p", "no:cacheprovider",
         "--sandbox", "local", "--model", "oracle", "--bank", str(rows_file([verified_row]))],
        cwd=REPO_ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 4, result.stdout[-2000:]
    assert "--sandbox docker" in result.stdout + result.stderr


def grade(row: dict[str, Any], tmp_path: Path, patch: str) -> Any:
    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(row) + "\n")
    task: Task = load_swebench(path, capability="swe-bench-verified").tasks[0]
    task = task.model_copy(update={"grader": "swebench"})
    opener = sandbox_opener(task, "docker")
    return OfficialHarness().grade(task, Submission(patch=patch), opener, timeout=300)


def test_a_patch_that_applies_only_with_fuzz_is_applied_as_the_official_harness_does(
        verified_row: dict[str, Any], tmp_path: Path) -> None:
    shifted = verified_row["patch"].replace("@@ -6,7 +6,7 @@", "@@ -9,7 +9,7 @@")
    assert shifted != verified_row["patch"]
    outcome = grade(verified_row, tmp_path, shifted)
    assert outcome.resolved and outcome.patch_applied


def test_a_patch_that_does_not_apply_is_the_models_failure(
        verified_row: dict[str, Any], tmp_path: Path) -> None:
    broken = verified_row["patch"].replace("-    return a + b", "-    return a * b")
    assert broken != verified_row["patch"]
    outcome = grade(verified_row, tmp_path, broken)
    assert not outcome.resolved and not outcome.patch_applied
    assert outcome.failure_kind == "model" and "did not apply" in outcome.failure


def test_a_forging_conftest_keeps_the_official_verdict_and_records_the_disagreement(
        verified_row: dict[str, Any], tmp_path: Path) -> None:
    """The official harness runs whatever conftest the candidate adds: its verdict is the
    verdict here too, and the harness's screen says beside it what it saw."""
    forge = ("diff --git a/conftest.py b/conftest.py\nnew file mode 100644\n--- /dev/null\n"
             "+++ b/conftest.py\n@@ -0,0 +1,6 @@\n+import pytest\n+\n+\n"
             "+@pytest.hookimpl(hookwrapper=True)\n+def pytest_runtest_makereport(item, call):\n"
             "+    (yield).get_result().outcome = 'passed'\n")
    outcome = grade(verified_row, tmp_path, forge)
    assert outcome.official_report is not None
    assert outcome.resolved is outcome.official_report["resolved"] is True
    assert any("tampering" in seen for seen in outcome.disagreements), outcome.disagreements


# SWT-Bench: the same row seen the other way round (the model writes the tests).

def swt_grade(row: dict[str, Any], tmp_path: Path, patch: str) -> Any:
    from harness.capabilities.swt_bench import read_swt_rows
    from harness.grading.swt import SwtTests

    path = tmp_path / "one.jsonl"
    path.write_text(json.dumps(row) + "\n")
    (task,) = read_swt_rows(str(path)).tasks
    return SwtTests().grade(task, Submission(patch=patch), sandbox_opener(task, "docker"),
                            timeout=300)


def test_the_oracle_resolves_a_swt_row_and_its_tests_cover_the_fix(
        verified_row: dict[str, Any], rows_file: Callable[[list[dict[str, Any]]], Path],
        tmp_path: Path) -> None:
    result = run_suite("swt_bench", rows_file([verified_row]), tmp_path / "run", "oracle")
    assert result.returncode == 0, result.stdout[-4000:]
    (row,) = RunDir(tmp_path / "run").latest().values()
    assert row.status == "resolved" and row.outcome is not None
    assert row.outcome.fail_to_pass == {f"{TESTS}::test_sub": "passed"}
    # the gold fix changes one line (removed and added): test_sub runs it, the base run not
    assert row.outcome.scores == {"applicable": 1.0, "fail_to_x": 1.0, "coverage_delta": 1.0}
    report = json.loads((tmp_path / "run" / "reports" / INSTANCE / "report.json").read_text())
    assert report[INSTANCE]["tests_pred"]["FAIL_TO_PASS"] == [f"{TESTS}::test_sub"]
    assert report[INSTANCE]["executable_lines"] == 2


def test_null_does_not_resolve_a_swt_row(
        verified_row: dict[str, Any], rows_file: Callable[[list[dict[str, Any]]], Path],
        tmp_path: Path) -> None:
    result = run_suite("swt_bench", rows_file([verified_row]), tmp_path / "run", "null")
    assert result.returncode == 1, result.stdout[-4000:]
    (row,) = RunDir(tmp_path / "run").latest().values()
    assert row.status == "unresolved"


def test_the_testing_suite_runs_swt_rows_as_swt_bench_grades_them(
        verified_row: dict[str, Any], rows_file: Callable[[list[dict[str, Any]]], Path],
        tmp_path: Path) -> None:
    result = run_suite("testing", rows_file([verified_row]), tmp_path / "run", "oracle")
    assert result.returncode == 0, result.stdout[-4000:]
    (row,) = RunDir(tmp_path / "run").latest().values()
    assert row.status == "resolved" and row.outcome is not None
    assert row.outcome.fail_to_pass == {f"{TESTS}::test_sub": "passed"}
    assert row.outcome.scores == {"applicable": 1.0, "fail_to_x": 1.0, "coverage_delta": 1.0}
    assert row.scores["ran_own_tests"] == 1.0


def test_a_test_that_passes_before_the_fix_does_not_reproduce_the_issue(
        verified_row: dict[str, Any], checkout: Path, tmp_path: Path) -> None:
    tests = (checkout / TESTS).read_text()
    patch = diff_of(checkout, TESTS, tests + "\n\ndef test_add_again():\n    assert True\n")
    outcome = swt_grade(verified_row, tmp_path, patch)
    assert not outcome.resolved and outcome.scores["applicable"] == 1.0
    assert outcome.scores["fail_to_x"] == 0.0
    assert outcome.official_report["tests_pred"]["PASS_TO_PASS"] == [
        f"{TESTS}::test_add", f"{TESTS}::test_add_again"]


def test_a_test_that_still_fails_after_the_fix_is_an_added_failure(
        verified_row: dict[str, Any], checkout: Path, tmp_path: Path) -> None:
    tests = (checkout / TESTS).read_text().replace("import add\n", "import add, sub\n")
    patch = diff_of(checkout, TESTS, tests + "\n\ndef test_sub():\n    assert sub(5, 2) == 3\n"
                    "\n\ndef test_wrong():\n    assert sub(5, 2) == 4\n")
    outcome = swt_grade(verified_row, tmp_path, patch)
    assert not outcome.resolved and outcome.scores["fail_to_x"] == 1.0
    assert f"{TESTS}::test_wrong" in outcome.failure
