"""Test tools: run one test, run tests under coverage, and list functions no test executed.

Coverage data and reports go to the sandbox's scratch directory (``--data-file``), never
into the repository. ``coverage`` must be importable by the sandbox's Python.
"""

from __future__ import annotations

import ast
import shlex
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from harness.errors import ToolError
from harness.json_object import NotAJsonObject, json_object
from harness.process import ExecResult
from harness.protocols import Sandbox
from harness.tools._base import FunctionTool, spec
from harness.tools.editing import TEST_TIMEOUT
from harness.tools.git import check_repo_path, run_git

DATA_FILE = "coverage.data"
JSON_FILE = "coverage.json"
TEST_OUTPUT_TAIL = 4_000
UNTESTED_LIMIT = 200


@dataclass(frozen=True)
class PytestCommand:
    """A test command split into the Python that runs it and the arguments after ``-m pytest``."""

    argv: tuple[str, ...]
    python: str
    pytest_args: tuple[str, ...]

    @classmethod
    def parse(cls, test_command: str) -> PytestCommand | None:
        argv = shlex.split(test_command)
        for i in range(1, len(argv) - 1):
            if argv[i] == "-m" and argv[i + 1] == "pytest":
                return cls(tuple(argv), argv[i - 1], tuple(argv[i + 2:]))
        return None


def _check_targets(tool: str, paths: list[Any] | None) -> list[str]:
    targets = [str(p) for p in paths or []]
    for target in targets:
        check_repo_path(tool, target.split("::", 1)[0])
    return targets


def _status(result: ExecResult) -> str:
    return "timed out" if result.timed_out else f"exit code {result.exit_code}"


def _tail(text: str, limit: int = TEST_OUTPUT_TAIL) -> str:
    return text if len(text) <= limit else f"[... output cut ...]\n{text[-limit:]}"


def make_run_single_test(test_command: str) -> FunctionTool:
    """``run_single_test`` bound to a task's test command."""

    def run_single_test(sandbox: Sandbox, test_id: str) -> str:
        check_repo_path("run_single_test", test_id.split("::", 1)[0])
        sandbox.read_file(test_id.split("::", 1)[0])  # ToolError when the file does not exist
        command = [*shlex.split(test_command), "-q", test_id]
        result = sandbox.exec(command, timeout=TEST_TIMEOUT)
        if result.exit_code in (4, 5):
            raise ToolError(f"run_single_test: no test matched {test_id!r}:\n"
                            f"{_tail(result.combined().strip(), 2000)}")
        return f"$ {shlex.join(command)}\n[{_status(result)}]\n{result.combined()}"

    return FunctionTool(spec(
        "run_single_test", "Run one test by its pytest node id (file::Class::test_name).",
        {"test_id": {"type": "string", "description": "pytest node id, e.g. tests/test_x.py::t"}},
        ("test_id",)), run_single_test)


def _run_under_coverage(sandbox: Sandbox, tool: str, test_command: str,
                        targets: list[str]) -> tuple[list[str], ExecResult, str]:
    """Run the tests under ``coverage run --branch``; returns command, result and data file."""
    parsed = PytestCommand.parse(test_command)
    if parsed is None:
        raise ToolError(f"{tool}: the task's test command {test_command!r} does not run "
                        "`python -m pytest`, so it cannot be measured")
    data_file = f"{sandbox.scratch_dir.rstrip('/')}/{DATA_FILE}"
    command = [parsed.python, "-m", "coverage", "run", "--branch", "--source=.",
               f"--data-file={data_file}", "-m", "pytest", *parsed.pytest_args, "-q", *targets]
    result = sandbox.exec(command, timeout=TEST_TIMEOUT)
    if "No module named coverage" in result.stderr:
        raise ToolError(f"{tool}: coverage is not installed for the sandbox's Python")
    if result.timed_out or result.exit_code not in (0, 1):
        raise ToolError(f"{tool}: the tests did not run ({_status(result)}):\n"
                        f"{_tail(result.combined().strip(), 2000)}")
    return command, result, data_file


def make_run_tests_with_coverage(test_command: str) -> FunctionTool:
    """``run_tests_with_coverage`` bound to a task's test command."""

    def run_tests_with_coverage(sandbox: Sandbox, paths: list[Any] | None = None) -> str:
        targets = _check_targets("run_tests_with_coverage", paths)
        command, result, data_file = _run_under_coverage(
            sandbox, "run_tests_with_coverage", test_command, targets)
        python = command[0]
        report = sandbox.exec([python, "-m", "coverage", "report", "-m",
                               f"--data-file={data_file}"], timeout=TEST_TIMEOUT)
        return (f"$ {shlex.join(command)}\n[{_status(result)}]\n"
                f"{_tail(result.combined().strip())}\n\n$ coverage report -m\n"
                f"{report.combined().strip()}")

    return FunctionTool(spec(
        "run_tests_with_coverage", "Run the test suite (or some tests) under branch coverage "
        "and show the per-file report with missing lines.",
        {"paths": {"type": "array", "items": {"type": "string"},
                   "description": "test files or node ids (default: the whole suite)"}}),
        run_tests_with_coverage)


def _is_test_file(path: str) -> bool:
    pure = PurePosixPath(path)
    return (pure.name.startswith("test_") or pure.name.endswith("_test.py")
            or pure.name == "conftest.py" or bool({"tests", "test"} & set(pure.parts[:-1])))


def _functions(tree: ast.AST) -> list[tuple[int, str, set[int]]]:
    """(def line, qualified name, body line numbers) of every function and method."""
    found: list[tuple[int, str, set[int]]] = []

    def visit(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                body = child.body
                if (len(body) > 1 and isinstance(body[0], ast.Expr)
                        and isinstance(body[0].value, ast.Constant)
                        and isinstance(body[0].value.value, str)):
                    body = body[1:]  # a docstring is not an executed statement
                end = child.end_lineno or body[-1].lineno
                found.append((child.lineno, prefix + child.name,
                              set(range(body[0].lineno, end + 1))))
                visit(child, f"{prefix}{child.name}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, f"{prefix}{child.name}.")
            else:
                visit(child, prefix)

    visit(tree, "")
    return found


def make_list_untested_functions(test_command: str) -> FunctionTool:
    """``list_untested_functions`` bound to a task's test command."""

    def list_untested_functions(sandbox: Sandbox, paths: list[Any] | None = None) -> str:
        tool = "list_untested_functions"
        targets = _check_targets(tool, paths)
        command, _, data_file = _run_under_coverage(sandbox, tool, test_command, targets)
        json_path = f"{sandbox.scratch_dir.rstrip('/')}/{JSON_FILE}"
        report = sandbox.exec([command[0], "-m", "coverage", "json", "-q", "-o", json_path,
                               f"--data-file={data_file}"], timeout=TEST_TIMEOUT)
        raw = sandbox.read_scratch(JSON_FILE)
        if not report.ok or raw is None:
            raise ToolError(f"{tool}: coverage json failed: {report.combined().strip()[-1000:]}")
        try:
            measured = _executed_by_file(json_object(raw), sandbox.workdir)
        except (NotAJsonObject, AttributeError, TypeError, ValueError) as exc:
            raise ToolError(f"{tool}: the coverage report cannot be read: {exc}") from exc
        listed = run_git(sandbox, ["ls-files", "-z", "--cached", "--others",
                                   "--exclude-standard", "--", "*.py"])
        if not listed.ok:
            raise ToolError(f"{tool}: git ls-files failed: {listed.combined().strip()[-500:]}")
        untested: list[str] = []
        for path in sorted(set(filter(None, listed.stdout.split("\0")))):
            if _is_test_file(path):
                continue
            try:
                tree = ast.parse(sandbox.read_file(path))
            except (ToolError, SyntaxError, ValueError):
                continue
            executed, excluded = measured.get(path, (set(), set()))
            untested += [f"{path}:{line} {name}" for line, name, body in _functions(tree)
                         if line not in excluded and not body & executed]
        if not untested:
            return "every function and method ran at least once under the tests"
        shown = untested[:UNTESTED_LIMIT]
        if len(untested) > UNTESTED_LIMIT:
            shown.append(f"[{len(untested) - UNTESTED_LIMIT} more omitted]")
        return f"{len(untested)} function(s) never executed by the tests:\n" + "\n".join(shown)

    return FunctionTool(spec(
        "list_untested_functions", "Run the tests under coverage and list functions and "
        "methods (outside test files) that no test executed, as path:line qualname.",
        {"paths": {"type": "array", "items": {"type": "string"},
                   "description": "tests to run (default: the whole suite)"}}),
        list_untested_functions)


def _executed_by_file(report: dict[str, Any], workdir: str) -> dict[str, tuple[set[int],
                                                                               set[int]]]:
    """Repository-relative path -> (executed lines, excluded lines) from a coverage JSON."""
    root = workdir.rstrip("/") + "/"
    out: dict[str, tuple[set[int], set[int]]] = {}
    for name, data in report.get("files", {}).items():
        relative = name[len(root):] if name.startswith(root) else name
        out[relative] = (set(data.get("executed_lines", [])), set(data.get("excluded_lines", [])))
    return out


def make_coverage_tools(test_command: str) -> tuple[FunctionTool, ...]:
    """The three test tools bound to a task's test command."""
    return (make_run_single_test(test_command), make_run_tests_with_coverage(test_command),
            make_list_untested_functions(test_command))
