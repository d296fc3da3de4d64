"""R2E-Gym rows (its Hugging Face schema, built here: no real file is available offline)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped]
import pyarrow.parquet as pq  # type: ignore[import-untyped]
import pytest

from harness.datasets import R2E_REPOS, InvalidRows, load_r2egym, split_tests, task_from_r2e_row
from harness.errors import BankError
from harness.task import GitSource

OLD = "1" * 40
NEW = "2" * 40
OLD_MOD = "def add(a, b):\n    return a - b\n"
NEW_MOD = "def add(a, b):\n    return a + b\n"
NEW_TEST = "from pkg.mod import add\n\ndef test_add():\n    assert add(1, 2) == 3\n"
OLD_README = "Docs\n"
NEW_README = "Docs\nMore docs\n"
HIDDEN_TEST = "from pkg.mod import add\n\n\nclass TestAdd:\n    def test_add(self):\n" \
              "        assert add(1, 2) == 3"  # no final newline on purpose


def hunk(old: tuple[int, int], new: tuple[int, int],
         lines: list[tuple[str, str]]) -> dict[str, Any]:
    return {"descriptor": {"old_range": {"start": old[0], "length": old[1]},
                           "new_range": {"start": new[0], "length": new[1]}, "section": ""},
            "line_group": {"all_lines": [{"content": c, "type": t} for t, c in lines]},
            "modified_entities": [], "added_entities": [], "deleted_entities": []}


def file_diff(path: str, hunks: list[dict[str, Any]], *, new_file: bool = False) -> dict[str, Any]:
    return {"header": {"file": {"path": path},
                       "misc_line": "new file mode 100644" if new_file else None},
            "index_line": {"old_commit_hash": "0000000" if new_file else "aaaaaaa",
                           "new_commit_hash": "bbbbbbb", "mode": "" if new_file else "100644"},
            "is_binary_file": False, "binary_line": None,
            "minus_file": {"path": "/dev/null" if new_file else f"a/{path}"},
            "plus_file": {"path": f"b/{path}"}, "hunks": hunks,
            "old_file_content": "", "new_file_content": ""}


COMMIT_DIFFS = [
    file_diff("pkg/mod.py", [hunk((1, 2), (1, 2), [
        ("context", "def add(a, b):"), ("deleted", "    return a - b"),
        ("added", "    return a + b")])]),
    file_diff("tests/test_mod.py", [hunk((0, 0), (1, 4), [
        ("added", line) for line in NEW_TEST.rstrip("\n").split("\n")])], new_file=True),
    file_diff("README.rst", [hunk((1, 1), (1, 2), [
        ("context", "Docs"), ("added", "More docs")])]),
]
OLD_LOG = ("===== FAILURES =====\nFAILED looks like a verdict but is above the summary\n"
           "=========== short test summary info ===========\n"
           "PASSED r2e_tests/test_1.py::test_keep\n"
           "FAILED r2e_tests/test_1.py::TestAdd::test_add - assert -1 == 3\n"
           "ERROR r2e_tests/test_1.py::test_err - ImportError\n"
           "ERROR r2e_tests/test_2.py - collection error\n"
           "===== 1 failed, 1 passed =====\n")
NEW_LOG = ("=========== short test summary info ===========\n"
           "PASSED r2e_tests/test_1.py::test_keep\n"
           "PASSED r2e_tests/test_1.py::TestAdd::test_add\n"
           "PASSED r2e_tests/test_1.py::test_err\n"
           "FAILED r2e_tests/test_1.py::test_still_fails - nope\n")
EXPECTED = {"test_keep": "PASSED", "TestAdd.test_add": "PASSED", "test_err": "PASSED",
            "test_still_fails": "FAILED", "\x1b[1mtest_only_here\x1b[0m - why": "PASSED"}


def r2e_row(**changes: Any) -> dict[str, Any]:
    """A row shaped like R2E-Gym-Lite's (JSON columns as text, as the dataset stores them)."""
    base: dict[str, Any] = {
        "repo_name": "sympy", "docker_image": f"namanjain12/sympy_final:{NEW}",
        "commit_hash": NEW,
        "parsed_commit_content": json.dumps({
            "file_diffs": COMMIT_DIFFS, "old_commit_hash": OLD, "new_commit_hash": NEW,
            "commit_message": "Fix add", "commit_date": "2020-01-02T03:04:05", "metadata": {}}),
        "execution_result_content": json.dumps({
            "repo_name": "sympy", "new_commit_hash": NEW,
            "test_file_codes": [HIDDEN_TEST], "test_file_names": ["test_1.py"],
            "setup_res_code": 0, "setup_res_stdout": "", "setup_res_stderr": "",
            "old_commit_res_code": 1, "old_commit_res_stdout": OLD_LOG,
            "old_commit_res_stderr": "", "new_commit_res_code": 1,
            "new_commit_res_stdout": NEW_LOG, "new_commit_res_stderr": ""}),
        "expected_output_json": json.dumps(EXPECTED),
        "problem_statement": "[ISSUE]\nadd() subtracts\n[/ISSUE]",
        "modified_files": ["pkg/mod.py", "tests/test_mod.py", "README.rst"],
        "relevant_files": ["pkg/mod.py"], "modified_entity_summaries": [],
        "num_non_test_files": 1, "num_non_test_func_methods": 1, "num_non_test_lines": 2,
        "prompt": "write an issue for this diff ...",
    }
    base.update(changes)
    return base


def with_commit(**changes: Any) -> str:
    commit = json.loads(r2e_row()["parsed_commit_content"]) | changes
    return json.dumps(commit)


def git_apply(directory: Path, patch: str) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (directory / "change.diff").write_text(patch)
    subprocess.run(["git", "apply", "--whitespace=nowarn", "change.diff"], cwd=directory,
                   check=True, capture_output=True)
    (directory / "change.diff").unlink()


def tree(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): p.read_text() for p in directory.rglob("*")
            if p.is_file()}


def test_row_maps_to_a_task() -> None:
    task = task_from_r2e_row(r2e_row(), origin="r2e.parquet", number=1)
    assert task.instance_id == f"sympy__{NEW}"
    assert (task.repo, task.base_commit, task.image) == (
        "sympy/sympy", OLD, f"namanjain12/sympy_final:{NEW}")
    assert task.repo_source == GitSource(kind="git", url="https://github.com/sympy/sympy.git",
                                         commit=OLD)
    assert task.problem_statement == "\nadd() subtracts\n"
    assert task.created_at == "2020-01-02T03:04:05"
    assert task.FAIL_TO_PASS == ["r2e_tests/test_1.py::TestAdd::test_add",
                                 "r2e_tests/test_1.py::test_err", "test_only_here"]
    assert task.PASS_TO_PASS == ["r2e_tests/test_1.py::test_keep"]
    assert (task.capability, task.source) == ("navigation", "r2e-gym")
    assert "README.rst" not in task.patch and "tests/test_mod.py" not in task.patch


def test_gold_patch_and_hidden_tests_apply_with_git(tmp_path: Path) -> None:
    task = task_from_r2e_row(r2e_row(), origin="r2e.parquet", number=1)
    base = tmp_path / "base"
    (base / "pkg").mkdir(parents=True)
    (base / "pkg" / "mod.py").write_text(OLD_MOD)
    (base / "README.rst").write_text(OLD_README)
    git_apply(base, task.patch)
    assert tree(base) == {"pkg/mod.py": NEW_MOD, "README.rst": OLD_README}
    git_apply(base, task.test_patch)
    assert tree(base)["r2e_tests/test_1.py"] == HIDDEN_TEST


def test_unresolved_parent_commit_reverses_the_whole_commit(tmp_path: Path) -> None:
    row = r2e_row(parsed_commit_content=with_commit(old_commit_hash=f"{NEW}^"))
    task = task_from_r2e_row(row, origin="r2e.jsonl", number=7)
    assert task.base_commit == ""
    assert isinstance(task.repo_source, GitSource)
    assert task.repo_source.commit == NEW
    fixed = tmp_path / "fixed"
    (fixed / "pkg").mkdir(parents=True)
    (fixed / "tests").mkdir()
    (fixed / "pkg" / "mod.py").write_text(NEW_MOD)
    (fixed / "tests" / "test_mod.py").write_text(NEW_TEST)
    (fixed / "README.rst").write_text(NEW_README)
    git_apply(fixed, task.repo_source.base_patch)
    assert tree(fixed) == {"pkg/mod.py": OLD_MOD, "README.rst": OLD_README}
    git_apply(fixed, task.patch)
    assert tree(fixed)["pkg/mod.py"] == NEW_MOD


def test_binary_diff_cannot_be_reversed() -> None:
    binary = file_diff("logo.png", []) | {"is_binary_file": True, "binary_line": "Binary files"}
    row = r2e_row(parsed_commit_content=with_commit(old_commit_hash=f"{NEW}^",
                                                    file_diffs=[*COMMIT_DIFFS, binary]))
    with pytest.raises(BankError, match="binary") as caught:
        task_from_r2e_row(row, origin="r2e.jsonl", number=3)
    assert (caught.value.line, caught.value.field) == (3, "parsed_commit_content")


def test_split_tests_uses_the_pre_fix_log() -> None:
    fail_to_pass, pass_to_pass = split_tests({"a": "PASSED", "b": "PASSED", "c": "FAILED"},
                                             "short test summary info\nPASSED t.py::a\n"
                                             "FAILED t.py::b - x\nPASSED t.py::c\n")
    assert (fail_to_pass, pass_to_pass) == (["t.py::b"], ["t.py::a"])
    assert split_tests({"a": "PASSED"}, "no summary here") == (["a"], [])


BAD_ROWS = [
    ({"repo_name": "unknown"}, "repo_name", "one of"),
    ({"commit_hash": "abc"}, "commit_hash", "40-hex"),
    ({"problem_statement": ""}, "problem_statement", "non-empty"),
    ({"expected_output_json": "{not json"}, "expected_output_json", "JSON object"),
    ({"expected_output_json": "[]"}, "expected_output_json", "JSON object, got a JSON array"),
    ({"expected_output_json": json.dumps({"test_keep": "PASSED"})}, "FAIL_TO_PASS",
     "must not be empty"),
    ({"execution_result_content": json.dumps({"test_file_names": []})},
     "execution_result_content.old_commit_res_stdout", "pre-fix"),
    ({"execution_result_content": json.dumps({"old_commit_res_stdout": OLD_LOG,
                                              "test_file_names": ["a.py"],
                                              "test_file_codes": []})},
     "execution_result_content.test_file_names", "equal-length"),
    ({"parsed_commit_content": json.dumps({"old_commit_hash": OLD})},
     "parsed_commit_content", "ParsedCommit"),
]


@pytest.mark.parametrize(("changes", "field", "words"), BAD_ROWS,
                         ids=[f"{field}-{words}" for _, field, words in BAD_ROWS])
def test_bad_rows_name_file_row_and_field(
        tmp_path: Path, changes: dict[str, Any], field: str, words: str) -> None:
    path = tmp_path / "R2E-Gym-Lite.jsonl"
    other = r2e_row(commit_hash="3" * 40)
    path.write_text(json.dumps(other) + "\n" + json.dumps(r2e_row(**changes)) + "\n")
    with pytest.raises(BankError, match=words) as caught:
        load_r2egym(path)
    assert (caught.value.path, caught.value.line, caught.value.field) == (str(path), 2, field)
    assert "pass skip_invalid_rows=True to load the rest" in str(caught.value)
    loaded = load_r2egym(path, skip_invalid_rows=True)
    assert [t.instance_id for t in loaded.tasks] == [f"sympy__{'3' * 40}"]
    assert [(e.line, e.field) for e in loaded.skipped] == [(2, field)]


def test_every_bad_row_is_counted_and_the_rest_load(tmp_path: Path) -> None:
    path = tmp_path / "R2E-Gym-V1.jsonl"
    rows = [r2e_row(commit_hash=str(digit) * 40, problem_statement="" if digit % 2 else "x")
            for digit in range(3, 9)]
    path.write_text("".join(json.dumps(row) + "\n" for row in rows) + "not json\n")
    with pytest.raises(InvalidRows, match="and 3 more invalid rows; pass skip") as caught:
        load_r2egym(path)
    assert (caught.value.line, caught.value.field) == (1, "problem_statement")
    assert [e.line for e in caught.value.errors] == [1, 3, 5, 7]
    loaded = load_r2egym(path, skip_invalid_rows=True)
    assert [t.instance_id for t in loaded.tasks] == [f"sympy__{d * 40}" for d in "468"]
    assert [(e.line, e.field) for e in loaded.skipped] == [
        (1, "problem_statement"), (3, "problem_statement"), (5, "problem_statement"),
        (7, "<row>")]


def test_the_repository_list_covers_r2e_gym_s_own_names() -> None:
    names = {"sympy", "pandas", "numpy", "scrapy", "tornado", "statsmodels", "pillow",
             "pyramid", "datalad", "aiohttp", "mypy", "coveragepy", "orange3", "bokeh"}
    assert names <= set(R2E_REPOS)
    assert all(value.count("/") == 1 for value in R2E_REPOS.values())
    assert (R2E_REPOS["orange3"], R2E_REPOS["pillow"]) == ("biolab/orange3",
                                                             "python-pillow/Pillow")
    task = task_from_r2e_row(r2e_row(repo_name="bokeh"), origin="r.jsonl", number=1)
    assert task.repo_source.url == "https://github.com/bokeh/bokeh.git"  # type: ignore[union-attr]


def test_load_parquet_with_dropped_columns_and_label(tmp_path: Path) -> None:
    path = tmp_path / "R2E-Gym-Lite.train.parquet"
    rows = [r2e_row(), r2e_row(commit_hash="3" * 40, repo_name="pandas")]
    pq.write_table(pa.Table.from_pylist(rows), path)
    loaded = load_r2egym(path, capability="recovery")
    assert [t.repo for t in loaded.tasks] == ["sympy/sympy", "pandas-dev/pandas"]
    assert {(t.capability, t.source) for t in loaded.tasks} == {("recovery", "r2e-gym-lite")}
    assert loaded.dropped_columns == (
        "modified_entity_summaries", "modified_files", "num_non_test_files",
        "num_non_test_func_methods", "num_non_test_lines", "prompt", "relevant_files")
    other = load_r2egym(path, repos={"sympy": "fork/sympy", "pandas": "fork/pandas"})
    assert other.tasks[0].repo_source.url == "https://github.com/fork/sympy.git"  # type: ignore[union-attr]


def test_swe_bench_shaped_rows_keep_their_docker_image(tmp_path: Path) -> None:
    row = {"repo": "astropy/astropy", "instance_id": "astropy__astropy-12907",
           "base_commit": OLD, "patch": "fix", "test_patch": "tests",
           "problem_statement": "bug", "FAIL_TO_PASS": '["t::a"]', "PASS_TO_PASS": "[]",
           "docker_image": "slimshetty/swebench-verified:sweb.eval.x86_64.astropy__astropy-12907",
           "parsed_commit": "{}"}
    path = tmp_path / "SWE-Bench-Verified.jsonl"
    path.write_text(json.dumps(row) + "\n")
    loaded = load_r2egym(path)
    task = loaded.tasks[0]
    assert task.image == row["docker_image"]
    assert (task.source, task.FAIL_TO_PASS) == ("r2e-gym-swe-bench-verified", ["t::a"])
    assert loaded.dropped_columns == ("parsed_commit",)
