"""SWT-Bench grading without docker: the transition classes, the verdict, the gold patch's
changed lines, coverage, the test command and the coverage kit."""

from __future__ import annotations

import difflib
import io
import json
import re
import sys
import tarfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.capabilities.swt_bench import split_source
from harness.errors import ConfigError
from harness.grading.coverage_kit import coverage_kit, coverage_package
from harness.grading.patches import file_diffs
from harness.grading.swt import (
    RunRecord,
    changed_lines,
    coverage_measures,
    read_coverage,
    runner_command,
    transitions,
    verdict,
)

STATUS = st.sampled_from(["PASSED", "FAILED", "ERROR", "SKIPPED", "XFAIL"])
STATUS_MAP = st.dictionaries(st.sampled_from([f"t{n}" for n in range(6)]), STATUS, max_size=6)


def run(statuses: dict[str, str], executed: dict[str, set[int]] | None = None,
        statements: dict[str, set[int]] | None = None) -> RunRecord:
    return RunRecord(statuses=statuses, executed=executed, statements=statements or {})


def test_transitions_class_tests_as_swt_bench_does() -> None:
    pre = run({"a": "FAILED", "b": "PASSED", "c": "PASSED", "d": "ERROR", "e": "FAILED"})
    post = run({"a": "PASSED", "b": "PASSED", "c": "FAILED", "d": "PASSED", "f": "PASSED"})
    found = transitions(pre, post)
    assert found.fail_to_pass == {"a", "d", "f"}  # absent or erroring before counts as failing
    assert found.pass_to_pass == {"b"}
    assert found.pass_to_fail == {"c"}
    assert found.fail_to_fail == {"e"}  # failing before, absent after
    assert found.fail_to_x == {"a", "d", "e", "f"}


@given(STATUS_MAP, STATUS_MAP)
def test_every_test_lands_in_exactly_one_class(pre: dict[str, str], post: dict[str, str]) -> None:
    found = transitions(run(pre), run(post))
    classes = [found.fail_to_pass, found.pass_to_pass, found.fail_to_fail, found.pass_to_fail]
    assert sum(len(c) for c in classes) == len(set(pre) | set(post))
    assert set().union(*classes) == set(pre) | set(post)


@given(STATUS_MAP, STATUS_MAP)
def test_the_base_runs_alone_never_resolve(pre: dict[str, str], post: dict[str, str]) -> None:
    same = transitions(run(pre), run(post))
    assert not verdict(same, same).resolved
    assert not verdict(same, same).fail_to_x


@given(STATUS_MAP, STATUS_MAP, STATUS_MAP, STATUS_MAP)
def test_resolved_means_a_new_fail_to_pass_and_no_new_failure(
        base_pre: dict[str, str], base_post: dict[str, str], pred_pre: dict[str, str],
        pred_post: dict[str, str]) -> None:
    base = transitions(run(base_pre), run(base_post))
    pred = transitions(run(pred_pre), run(pred_post))
    found = verdict(base, pred)
    if found.resolved:
        assert found.added_fail_to_pass and not found.added_failures and found.fail_to_x
        assert base.fail_to_pass <= pred.fail_to_pass
    assert found.resolved == (base.fail_to_pass <= pred.fail_to_pass
                              and bool(pred.fail_to_pass - base.fail_to_pass)
                              and not (pred.pass_to_fail - base.pass_to_fail)
                              and not (pred.fail_to_fail - base.fail_to_fail))


def test_a_candidate_that_breaks_a_base_test_is_not_resolved() -> None:
    base = transitions(run({"old": "PASSED"}), run({"old": "PASSED"}))
    pred = transitions(run({"old": "PASSED", "new": "FAILED"}),
                       run({"old": "FAILED", "new": "PASSED"}))
    found = verdict(base, pred)
    assert not found.resolved and found.added_failures == ["old"]


LINES = st.lists(st.text(alphabet="abc -+", max_size=6), max_size=12)


def git_diff(path: str, old: list[str], new: list[str]) -> str:
    body = difflib.unified_diff([f"{line}\n" for line in old], [f"{line}\n" for line in new],
                                f"a/{path}", f"b/{path}", n=2)
    return f"diff --git a/{path} b/{path}\n" + "".join(body)


@given(LINES, LINES)
def test_changed_lines_name_the_removed_and_added_lines_of_each_side(
        old: list[str], new: list[str]) -> None:
    patch = git_diff("pkg/mod.py", old, new)
    removed, added = changed_lines(patch)
    (diff,) = file_diffs(patch) or [None]
    if diff is None:
        assert old == new
        return
    for path, number in removed:
        assert path == "pkg/mod.py" and 1 <= number <= len(old)
    for path, number in added:
        assert path == "pkg/mod.py" and 1 <= number <= len(new)
    assert [old[n - 1] for _, n in removed] == [t for _, t in diff.removed_lines()]
    assert [new[n - 1] for _, n in added] == [t for _, t in diff.added_lines()]
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    kept = sum(block.size for block in matcher.get_matching_blocks())
    # difflib's own diff: every line not kept is removed (old) or added (new)
    assert len(removed) == len(old) - kept and len(added) == len(new) - kept


GOLD = git_diff("calc/ops.py", ["def sub(a, b):", "    return a + b", "", "X = 1"],
                ["def sub(a, b):", "    return a - b", "", "X = 1"])


def test_coverage_counts_a_removed_and_an_added_line_of_the_same_number_apart() -> None:
    statements = {"calc/ops.py": {1, 2, 4}}
    base = run({}, {"calc/ops.py": {1, 4}}, statements)
    pred = run({}, {"calc/ops.py": {1, 2, 4}}, statements)
    found = coverage_measures(GOLD, base, base, pred, pred)
    assert found == {"executable_lines": 2, "coverage_pred": 1.0, "coverage_base": 0.0,
                     "coverage_delta": 1.0}
    half = coverage_measures(GOLD, base, base, pred, base)
    assert half is not None and half["coverage_delta"] == 0.5


def test_coverage_is_absent_when_any_run_could_not_measure_it_or_nothing_is_executable(
        ) -> None:
    measured = run({}, {"calc/ops.py": {1}}, {"calc/ops.py": {1, 2}})
    assert coverage_measures(GOLD, measured, measured, run({}), measured) is None
    no_statements = run({}, {}, {})
    assert coverage_measures(GOLD, *[no_statements] * 4) is None


def test_the_coverage_report_is_read_from_the_end_of_the_log_and_garbage_is_no_coverage(
        ) -> None:
    report = {"files": {"/testbed/calc/ops.py": {"executed_lines": [1, 2],
                                                 "missing_lines": [4]}}}
    log = f"tests ran\n>>>>> Coverage JSON\n{json.dumps(report)}\n"
    found = read_coverage(log, "/testbed")
    assert found == {"executed": {"calc/ops.py": {1, 2}}, "statements": {"calc/ops.py": {1, 2, 4}}}
    assert read_coverage("tests ran\n>>>>> Coverage JSON\n{not json\n", "/testbed") == {
        "executed": None}
    assert read_coverage("no marker at all", "/testbed") == {"executed": None}


@pytest.mark.parametrize(("command", "gold", "tests", "expected"), [
    ("pytest -rA tests/test_a.py", ["tests/test_a.py"], ["tests/test_new.py"],
     "pytest -rA tests/test_new.py"),
    ("pytest -rA tests/test_a.py::test_x tests/test_b.py", ["tests/test_a.py", "tests/test_b.py"],
     ["tests/test_b.py", "README.md"], "pytest -rA tests/test_b.py"),
    ("./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1 forms_tests.tests",
     ["tests/forms_tests/tests.py"], ["tests/forms_tests/test_new.py"],
     "./tests/runtests.py --verbosity 2 --settings=test_sqlite --parallel 1 "
     "forms_tests.test_new"),
    ("bin/test -C --verbose sympy/core/tests/test_basic.py",
     ["sympy/core/tests/test_basic.py"], ["sympy/core/tests/test_issue.py"],
     "bin/test -C --verbose sympy/core/tests/test_issue.py"),
])
def test_the_rows_test_command_runs_the_candidates_files_in_the_rows_form(
        command: str, gold: list[str], tests: list[str], expected: str) -> None:
    assert runner_command(command, gold, tests) == expected


def test_the_coverage_kit_carries_coverage_py_a_sitecustomize_and_the_gold_files() -> None:
    kit = coverage_kit("/scratch/kit", "/testbed", GOLD, coverage_package(None))
    with tarfile.open(fileobj=io.BytesIO(kit)) as tar:
        names = tar.getnames()
        rc = tar.extractfile("coveragerc").read().decode()  # type: ignore[union-attr]
        site = tar.extractfile("sitecustomize.py").read().decode()  # type: ignore[union-attr]
    assert "coverage/__init__.py" in names and not any("__pycache__" in n for n in names)
    assert "/testbed/calc/ops.py" in rc and "data_file = /scratch/kit/data/cov" in rc
    assert "process_startup" in site


@pytest.mark.parametrize(("source", "expected"), [
    ("rows.parquet", ("rows.parquet", None)),
    ("hf:princeton-nlp/SWE-bench_Verified?exclude=f.txt",
     ("hf:princeton-nlp/SWE-bench_Verified", "f.txt")),
])
def test_a_bank_source_may_name_a_filter_file(source: str,
                                              expected: tuple[str, str | None]) -> None:
    rows, exclude = split_source(source)
    assert (rows, None if exclude is None else str(exclude)) == expected


@pytest.mark.parametrize("source", ["rows.parquet?filter=f.txt", "rows.parquet?exclude="])
def test_a_bank_source_with_another_query_is_refused(source: str) -> None:
    with pytest.raises(ConfigError, match="exclude=FILTER_FILE"):
        split_source(source)


def test_the_kit_carries_the_coverage_release_of_the_sandboxes_interpreter(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """SWE-bench environments run Python 3.6 to 3.11: a 3.9 sandbox gets the newest
    coverage.py that supports 3.9 (fetched once, then cached), not this interpreter's."""
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path))
    here = f"{sys.version_info.major}.{sys.version_info.minor}"
    assert coverage_package(here) == coverage_package(None)
    other = coverage_package("3.9")
    assert other is not None and other != coverage_package(None)
    assert other.is_relative_to(tmp_path) and (other / "__init__.py").is_file()
    version = re.search(r'version_info = \((\d+), (\d+)', (other / "version.py").read_text())
    assert version is not None and (int(version[1]), int(version[2])) < (7, 11)
    assert coverage_package("3.9") == other  # cached
    assert not list(tmp_path.rglob("wheels"))
    with tarfile.open(fileobj=io.BytesIO(coverage_kit("/k", "/testbed", GOLD, None))) as tar:
        assert not any(n.startswith("coverage/") for n in tar.getnames())
