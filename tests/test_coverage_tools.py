"""The test tools against a real workspace: one test, tests under coverage, untested functions."""

from __future__ import annotations

import pytest

from harness.errors import ToolError
from harness.protocols import Tool
from harness.sandbox.local import LocalSandbox
from harness.tools.coverage import PytestCommand, make_coverage_tools


def test_pytest_command_is_split_after_dash_m_pytest() -> None:
    parsed = PytestCommand.parse("python -m pytest -p no:cacheprovider -p no:harness")
    assert parsed is not None and parsed.python == "python"
    assert parsed.pytest_args == ("-p", "no:cacheprovider", "-p", "no:harness")
    assert PytestCommand.parse("make test") is None


def test_run_single_test_passes_and_fails(box: LocalSandbox, tools: dict[str, Tool]) -> None:
    run = tools["run_single_test"]
    passed = run(box, {"test_id": "tests/test_arith.py::test_add"})
    assert "[exit code 0]" in passed and "1 passed" in passed
    box.write_file("tests/test_sub.py", b"from calc.ops.arith import sub\n\n\n"
                                        b"def test_sub():\n    assert sub(5, 2) == 3\n")
    failed = run(box, {"test_id": "tests/test_sub.py::test_sub"})
    assert "[exit code 1]" in failed and "1 failed" in failed
    with pytest.raises(ToolError, match="no test matched"):
        run(box, {"test_id": "tests/test_arith.py::test_nothing"})
    for bad in ("--co", "/etc/passwd::x", "../x.py::t", "tests/missing.py::t"):
        with pytest.raises(ToolError):
            run(box, {"test_id": bad})


def test_run_tests_with_coverage_reports_missing_lines_and_leaves_no_trace(
        box: LocalSandbox, tools: dict[str, Tool]) -> None:
    output = tools["run_tests_with_coverage"](box, {"paths": ["tests/test_arith.py"]})
    assert "[exit code 0]" in output and "1 passed" in output
    report = output.split("$ coverage report -m", 1)[1]
    assert "calc/ops/arith.py" in report and "calc/text/fmt.py" in report and "Missing" in report
    assert box.diff() == ""
    assert box.read_scratch("coverage.data") is not None
    with pytest.raises(ToolError):
        tools["run_tests_with_coverage"](box, {"paths": ["--co"]})


def test_list_untested_functions(box: LocalSandbox, tools: dict[str, Tool]) -> None:
    box.write_file("calc/shapes.py", b'class Box:\n    def area(self):\n        """Area."""\n'
                                     b"        return 1\n")
    listing = tools["list_untested_functions"](box, {"paths": ["tests/test_arith.py"]})
    lines = listing.splitlines()
    assert "calc/text/fmt.py:4 pad" in lines
    assert "calc/ops/arith.py:8 sub" in lines and "calc/ops/arith.py:12 clamp" in lines
    assert "calc/shapes.py:2 Box.area" in lines
    assert not any(" add" in line or "tests/" in line for line in lines)
    whole = tools["list_untested_functions"](box, {}).splitlines()
    assert "calc/text/fmt.py:4 pad" not in whole and "calc/ops/arith.py:8 sub" in whole
    assert box.diff().count("diff --git") == 1  # only the file this test wrote


def test_coverage_tools_refuse_a_command_that_is_not_pytest(box: LocalSandbox) -> None:
    _, with_coverage, untested = make_coverage_tools("make test")
    for tool in (with_coverage, untested):
        with pytest.raises(ToolError, match="cannot be measured"):
            tool(box, {})
