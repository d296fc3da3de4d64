"""Each tool against a real workspace: results, errors as observations, bounds, schemas."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from harness.errors import ToolError
from harness.protocols import Tool
from harness.sandbox.local import LocalSandbox
from harness.task import Task
from harness.tools.navigation import READ_LINE_LIMIT


@pytest.fixture
def box(tiny_task: Task) -> Iterator[LocalSandbox]:
    with LocalSandbox(tiny_task.repo_source) as sandbox:
        yield sandbox


def test_specs_are_openai_functions_with_consistent_required_fields(tools: dict[str, Tool]) -> None:
    assert set(tools) == {"list_directory", "repo_tree", "repo_search", "find_symbol",
                          "read_file", "apply_patch", "run_tests", "git_status", "git_diff",
                          "git_log", "git_blame", "git_commit", "git_branch", "create_pr",
                          "run_single_test", "run_tests_with_coverage",
                          "list_untested_functions"}
    for name, tool in tools.items():
        schema = tool.spec.openai_schema()
        assert schema["type"] == "function" and schema["function"]["name"] == name
        parameters = schema["function"]["parameters"]
        assert set(parameters["required"]) <= set(parameters["properties"])


def test_list_and_tree(box: LocalSandbox, tools: dict[str, Tool]) -> None:
    listing = tools["list_directory"](box, {"path": "calc"})
    assert "ops/" in listing and "__init__.py" in listing
    shallow = tools["repo_tree"](box, {"max_depth": 1})
    deep = tools["repo_tree"](box, {"max_depth": 3})
    assert "arith.py" not in shallow and "arith.py" in deep


def test_repo_search_fixed_regex_glob_and_misses(box: LocalSandbox, tools: dict[str, Tool]) -> None:
    search = tools["repo_search"]
    assert "calc/ops/arith.py:" in search(box, {"pattern": "def clamp"})
    assert "def add" in search(box, {"pattern": r"def (add|sub)\(", "regex": True})
    assert "tests/" not in search(box, {"pattern": "import", "glob": "arith.py"})
    assert "no matches" in search(box, {"pattern": "zebra-unicorn"})
    with pytest.raises(ToolError, match="outside"):
        search(box, {"pattern": "root", "path": "/etc"})


def test_find_symbol_is_ast_aware(box: LocalSandbox, tools: dict[str, Tool]) -> None:
    box.write_file("calc/shapes.py", b"class Box:\n    def area(self):\n        return 1\n"
                                     b"# def area(): in a comment\nLIMIT = 3\n")
    found = tools["find_symbol"](box, {"name": "area"})
    assert found.splitlines() == ["calc/shapes.py:2 method Box.area"]
    assert "calc/shapes.py:1 class Box" in tools["find_symbol"](box, {"name": "shapes.Box"})
    assert "variable LIMIT" in tools["find_symbol"](box, {"name": "LIMIT"})
    assert "no definition" in tools["find_symbol"](box, {"name": "nothing_here"})
    with pytest.raises(ToolError):
        tools["find_symbol"](box, {"name": "a; rm -rf /"})


def test_read_file_ranges_and_errors(box: LocalSandbox, tools: dict[str, Tool]) -> None:
    read = tools["read_file"]
    two = read(box, {"path": "calc/ops/arith.py", "start_line": 4, "end_line": 5})
    assert two.splitlines() == ["    4  def add(a: int, b: int) -> int:", "    5      return a + b"]
    box.write_file("big.txt", "".join(f"line {i}\n" for i in range(1000)).encode())
    page = read(box, {"path": "big.txt"})
    assert f"line {READ_LINE_LIMIT - 1}" in page and f"line {READ_LINE_LIMIT}\n" not in page
    assert "ask for a later range" in page
    for bad in ({"path": "missing.py"}, {"path": "big.txt", "start_line": 0},
                {"path": "big.txt", "start_line": 5000}):
        with pytest.raises(ToolError):
            read(box, bad)


def test_apply_patch_applies_or_changes_nothing(box: LocalSandbox, tools: dict[str, Tool],
                                                tiny_task: Task) -> None:
    bad = tiny_task.patch.replace("return a + b", "return a * b")
    with pytest.raises(ToolError, match="does not apply"):
        tools["apply_patch"](box, {"patch": bad})
    assert box.diff() == ""
    assert "calc/ops/arith.py" in tools["apply_patch"](box, {"patch": tiny_task.patch})
    assert "return a - b" in box.diff()


def test_run_tests_reports_exit_code_and_output(box: LocalSandbox, tools: dict[str, Tool]) -> None:
    output = tools["run_tests"](box, {"paths": ["tests/test_arith.py"]})
    assert "[exit code 0]" in output and "1 passed" in output
    with pytest.raises(ToolError, match="not a test path"):
        tools["run_tests"](box, {"paths": ["--co"]})


def test_arguments_are_checked_against_the_schema(box: LocalSandbox,
                                                  tools: dict[str, Tool]) -> None:
    with pytest.raises(ToolError, match="missing required"):
        tools["read_file"](box, {})
    with pytest.raises(ToolError, match="unknown argument"):
        tools["read_file"](box, {"path": "x", "mode": "w"})
    with pytest.raises(ToolError, match="must be integer"):
        tools["read_file"](box, {"path": "x", "start_line": "1"})
