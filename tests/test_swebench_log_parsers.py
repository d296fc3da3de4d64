"""SWE-bench rows are graded through ``harness.grading.swebench_logs`` exactly as the swebench
package grades them, for every log-parser family the Verified and Multilingual rows name.

The logs come from ``official_logs.render_log``, written in each parser's input format; the
package's verdict is taken from ``get_eval_report`` on a ``TestSpec`` that the package itself
builds from the raw parquet row (``make_test_spec``), not from the harness's own spec.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest
from hypothesis import given
from hypothesis import strategies as st

pytest.importorskip("swebench", reason="needs the swebench extra (pip install -e '.[swebench]')")

import official_logs
from swebench.harness import grading as official
from swebench.harness.log_parsers import PARSER_REGISTRY
from swebench.harness.utils import make_test_spec

from harness.datasets import load_swebench
from harness.grading import swebench_logs
from harness.task import Task

PATCH = "diff --git a/x b/x\n"
SPEC_COLUMNS = ["instance_id", "image", "repo", "version", "FAIL_TO_PASS", "PASS_TO_PASS",
                "log_parser", "eval_type", "eval_script"]
FAMILIES: dict[str, str] = {
    **dict.fromkeys([
        "parse_log_astropy", "parse_log_django", "parse_log_flask", "parse_log_matplotlib",
        "parse_log_pylint", "parse_log_pytest", "parse_log_requests", "parse_log_scikit",
        "parse_log_seaborn", "parse_log_sphinx", "parse_log_sympy", "parse_log_xarray"],
        "Verified"),
    **dict.fromkeys([
        "parse_log_ant", "parse_log_cargo", "parse_log_doctest", "parse_log_googletest",
        "parse_log_gotest", "parse_log_gradle_custom", "parse_log_immutable_js",
        "parse_log_jekyll", "parse_log_jest", "parse_log_jq", "parse_log_karma",
        "parse_log_maven", "parse_log_micropython_test", "parse_log_phpunit", "parse_log_redis",
        "parse_log_rspec_transformed_json", "parse_log_ruby_unit", "parse_log_tap",
        "parse_log_vitest"], "Multilingual"),
}
"""Every log parser the two sets use, and the set that uses it."""


@dataclass(frozen=True)
class Dataset:
    tasks: tuple[Task, ...]
    rows: dict[str, dict[str, Any]]
    """The raw parquet rows (the columns a ``TestSpec`` is built from), by instance id."""


@pytest.fixture(scope="module")
def datasets(shared_data: Path) -> dict[str, Dataset]:
    """Verified and Multilingual, as harness tasks and as raw rows."""
    loaded: dict[str, Dataset] = {}
    for name in ("Verified", "Multilingual"):
        path = shared_data / "swe-bench" / f"SWE-bench_{name}.test.parquet"
        if not path.is_file():
            pytest.skip(f"SWE-bench {name} not found at {path} (set HARNESS_SHARED_DATA)")
        rows = pq.read_table(path, columns=SPEC_COLUMNS).to_pylist()
        loaded[name] = Dataset(load_swebench(path).tasks,
                               {row["instance_id"]: row for row in rows})
    return loaded


def family_rows(datasets: dict[str, Dataset], parser: str) -> list[Task]:
    rows = [task for task in datasets[FAMILIES[parser]].tasks if task.log_parser == parser]
    assert rows, f"no {FAMILIES[parser]} row uses {parser}"
    return rows


def first_row(datasets: dict[str, Dataset], parser: str) -> Task:
    """The family's first row with FAIL_TO_PASS and PASS_TO_PASS tests (else with F2P)."""
    rows = family_rows(datasets, parser)
    return next((task for task in rows if task.FAIL_TO_PASS and task.PASS_TO_PASS),
                next(task for task in rows if task.FAIL_TO_PASS))


def graded(task: Task) -> list[str]:
    return list(dict.fromkeys([*task.FAIL_TO_PASS, *task.PASS_TO_PASS]))


def package_report(row: dict[str, Any], log: str, folder: Path) -> dict[str, Any]:
    """``get_eval_report`` on ``log``, with the package's own spec of the raw row."""
    path = folder / f"{row['instance_id']}.log"
    path.write_text(log, encoding="utf-8")
    prediction = {"instance_id": row["instance_id"], "model_patch": PATCH,
                  "model_name_or_path": "test"}
    report = official.get_eval_report(test_spec=make_test_spec(row), prediction=prediction,
                                      test_log_path=str(path), include_tests_status=True)
    entry: dict[str, Any] = report[row["instance_id"]]
    return entry


def verdict_problems(task: Task, row: dict[str, Any], statuses: dict[str, str], folder: Path,
                     *, resolved: bool) -> Iterator[str]:
    """How grading the rendered log of ``statuses`` differs from what it should be."""
    log = official_logs.render_log(task.log_parser, statuses)
    grade = swebench_logs.grade_log(task, log, PATCH)
    where = f"{task.instance_id} ({'resolved' if resolved else 'failing'} log)"
    if grade.resolved is not resolved:
        yield f"{where}: resolved is {grade.resolved}"
    if grade.report != package_report(row, log, folder):
        yield f"{where}: the report differs from the package's get_eval_report"
    for test, status in statuses.items():
        found = (official.test_passed(test, grade.status_map) if status == "PASSED"
                 else official.test_failed(test, grade.status_map)
                 and not official.test_passed(test, grade.status_map))
        if not found:
            yield f"{where}: {test!r} is not {status} in the status map"
    if resolved and grade.disagreements:
        yield f"{where}: disagreements {grade.disagreements}"


def test_the_sets_use_exactly_the_covered_families(datasets: dict[str, Dataset]) -> None:
    counts = {name: Counter(task.log_parser for task in data.tasks)
              for name, data in datasets.items()}
    for name, count in counts.items():
        print(f"{name}: {dict(sorted(count.items()))}")
    assert {parser: name for name, count in counts.items() for parser in count} == FAMILIES
    assert set(FAMILIES) <= set(PARSER_REGISTRY) & set(official_logs.FORMATS)


@pytest.mark.parametrize("parser", sorted(FAMILIES))
def test_rows_are_graded_as_the_package_grades_them(
        parser: str, datasets: dict[str, Dataset], tmp_path: Path) -> None:
    """Every row of the family: all tests passing resolves it; its first FAIL_TO_PASS test
    failing (the first PASS_TO_PASS one where it has none) does not; the status map holds
    what was rendered; and the report is the package's, whatever the row's eval_type (under
    ``fail_only`` too only a recorded FAILED fails, and an empty F2P counts as resolved)."""
    problems: list[str] = []
    rows = datasets[FAMILIES[parser]].rows
    for task in family_rows(datasets, parser):
        tests = graded(task)
        passing = dict.fromkeys(tests, "PASSED")
        problems += verdict_problems(task, rows[task.instance_id], passing, tmp_path,
                                     resolved=True)
        if tests:
            failing = {**passing, (task.FAIL_TO_PASS or tests)[0]: "FAILED"}
            problems += verdict_problems(task, rows[task.instance_id], failing, tmp_path,
                                         resolved=False)
    assert problems == []


@pytest.mark.parametrize("parser", sorted(FAMILIES))
def test_every_status_the_format_carries_reads_back(
        parser: str, datasets: dict[str, Dataset], tmp_path: Path) -> None:
    """Ids are written verbatim, so each is a key of the status map, with its status."""
    task = first_row(datasets, parser)
    kinds = itertools.cycle(sorted(official_logs.STATUSES[parser]))
    statuses = {test: next(kinds) for test in graded(task)}
    log = official_logs.render_log(parser, statuses)
    grade = swebench_logs.grade_log(task, log, PATCH)
    assert {test: grade.status_map.get(test) for test in statuses} == statuses
    assert grade.report == package_report(
        datasets[FAMILIES[parser]].rows[task.instance_id], log, tmp_path)


@pytest.mark.parametrize("name", ["Verified", "Multilingual"])
def test_no_graded_id_is_unmatchable(name: str, datasets: dict[str, Dataset],
                                     tmp_path: Path) -> None:
    """Each row's tests all passing, in its parser's format: the official grading finds
    every FAIL_TO_PASS and PASS_TO_PASS id passed."""
    path = tmp_path / "test_output.txt"
    unmatched: Counter[str] = Counter()
    total = 0
    for task in datasets[name].tasks:
        tests = graded(task)
        total += len(tests)
        path.write_text(official_logs.render_log(task.log_parser, dict.fromkeys(tests, "PASSED")))
        status_map, found = official.get_logs_eval(swebench_logs.test_spec(task), str(path))
        assert found or not tests, task.instance_id
        unmatched.update(task.log_parser for test in tests
                         if not official.test_passed(test, status_map))
    print(f"unmatchable ids in {name}: {unmatched.total()} of {total} {dict(unmatched)}")
    assert unmatched.total() == 0


@pytest.mark.parametrize("parser", sorted(FAMILIES))
def test_fail_only_counts_only_a_recorded_failure(
        parser: str, datasets: dict[str, Dataset], tmp_path: Path) -> None:
    """The row as ``fail_only``: its FAIL_TO_PASS tests absent from the log resolve it
    (``check_fail_only``), unlike under ``pass_and_fail``; one recorded FAILED does not."""
    task = first_row(datasets, parser)
    row = {**datasets[FAMILIES[parser]].rows[task.instance_id], "eval_type": "fail_only"}
    fail_only = task.model_copy(update={"eval_type": "fail_only"})
    p2p = {test: "PASSED" for test in task.PASS_TO_PASS if test not in task.FAIL_TO_PASS}
    if not p2p:
        pytest.skip(f"{parser} has no row with PASS_TO_PASS tests to make a log of")
    absent = official_logs.render_log(parser, p2p)
    assert swebench_logs.grade_log(task, absent, PATCH).resolved is False
    grade = swebench_logs.grade_log(fail_only, absent, PATCH)
    assert grade.resolved is True
    assert grade.report == package_report(row, absent, tmp_path)
    failed = official_logs.render_log(parser, {**p2p, task.FAIL_TO_PASS[0]: "FAILED"})
    grade = swebench_logs.grade_log(fail_only, failed, PATCH)
    assert grade.resolved is False
    assert grade.report == package_report(row, failed, tmp_path)


def test_a_row_without_fail_to_pass_is_graded_on_its_pass_to_pass_alone(
        datasets: dict[str, Dataset], tmp_path: Path) -> None:
    """The package counts an empty FAIL_TO_PASS as fully resolved (``compute_fail_to_pass``
    is 1), so only the PASS_TO_PASS tests decide."""
    rows = [(task, data.rows[task.instance_id]) for data in datasets.values()
            for task in data.tasks if not task.FAIL_TO_PASS and task.PASS_TO_PASS]
    if not rows:
        pytest.skip("no row without FAIL_TO_PASS tests in Verified or Multilingual")
    for task, row in rows:
        passing = dict.fromkeys(task.PASS_TO_PASS, "PASSED")
        failing = {**passing, task.PASS_TO_PASS[0]: "FAILED"}
        assert list(verdict_problems(task, row, passing, tmp_path, resolved=True)) == []
        assert list(verdict_problems(task, row, failing, tmp_path, resolved=False)) == []


@pytest.mark.parametrize("parser", sorted(FAMILIES))
def test_passes_with_a_failing_exit_code_and_no_failure_are_not_resolved(
        parser: str, datasets: dict[str, Dataset], tmp_path: Path) -> None:
    """The package's forged-PASSED guard: the test command exited 1, yet nothing failed."""
    task = first_row(datasets, parser)
    log = official_logs.render_log(parser, dict.fromkeys(graded(task), "PASSED"), exit_code=1)
    grade = swebench_logs.grade_log(task, log, PATCH)
    assert grade.resolved is False
    assert grade.report["patch_successfully_applied"] is False
    assert grade.report == package_report(
        datasets[FAMILIES[parser]].rows[task.instance_id], log, tmp_path)


def pytest_row(datasets: dict[str, Dataset], fail_to_pass: list[str]) -> Task:
    task = first_row(datasets, "parse_log_pytest")
    return task.model_copy(update={"FAIL_TO_PASS": fail_to_pass, "PASS_TO_PASS": []})


def test_disagreements_record_a_pytest_id_cut_at_a_space(datasets: dict[str, Dataset]) -> None:
    task = pytest_row(datasets, ["tests/test_a.py::test_x[a"])
    log = official_logs.render_log("parse_log_pytest", {"tests/test_a.py::test_x[a b]": "PASSED"})
    grade = swebench_logs.grade_log(task, log, PATCH)
    assert grade.resolved is True
    assert grade.status_map == {"tests/test_a.py::test_x[a": "PASSED"}
    assert len(grade.disagreements) == 1
    assert "'tests/test_a.py::test_x[a b]' is PASSED" in grade.disagreements[0]
    assert "'tests/test_a.py::test_x[a'" in grade.disagreements[0]
    whole = official_logs.render_log("parse_log_pytest", {"tests/test_a.py::test_x[a": "PASSED"})
    assert swebench_logs.grade_log(task, whole, PATCH).disagreements == []


def test_a_failure_message_is_not_a_disagreement(datasets: dict[str, Dataset]) -> None:
    task = pytest_row(datasets, ["tests/test_a.py::test_x"])
    log = official_logs.render_log("parse_log_pytest", {"tests/test_a.py::test_x": "FAILED"})
    grade = swebench_logs.grade_log(task, log, PATCH)
    assert grade.status_map == {"tests/test_a.py::test_x": "FAILED"}
    assert grade.disagreements == []


def test_a_failed_id_with_a_space_is_a_disagreement_and_its_message_is_not_part_of_it(
        datasets: dict[str, Dataset]) -> None:
    task = pytest_row(datasets, ["tests/test_a.py::test_x[a"])
    log = "+ : '>>>>> Start Test Output'\nFAILED tests/test_a.py::test_x[a b] - assert 1 == 2\n"
    (seen,) = swebench_logs.grade_log(task, log, PATCH).disagreements
    assert seen.startswith("'tests/test_a.py::test_x[a b]' is FAILED")


_ID_TEXT = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20)


@given(name=_ID_TEXT.filter(lambda t: "[" not in t and "]" not in t and " - " not in t
                            and t.strip() == t),
       param=st.one_of(st.none(), _ID_TEXT.filter(lambda t: "[" not in t and "]" not in t)),
       message=st.one_of(st.none(), _ID_TEXT))
def test_reported_id_is_the_id_whatever_message_follows(name: str, param: str | None,
                                                        message: str | None) -> None:
    test = f"t.py::{name}" + (f"[{param}]" if param is not None else "")
    text = test if message is None else f"{test} - {message}"
    assert swebench_logs.reported_id(text) == test.rstrip()
