"""SWE-bench's own verdict on a test log, through the ``swebench`` package (imported lazily).

A SWE-bench-family row names its log parser (``log_parser``) and evaluation type
(``eval_type``); ``grade_log`` hands the log of the row's eval script to the package's
``get_eval_report`` exactly as its harness does, so the verdict is the official one,
parsers and all. Where the official parsers are known to misread a log (a test id with
spaces cut at the first space, a ``SUBFAILED`` line that is ignored), the verdict is kept
and the disagreement is recorded beside it.

Needs the ``swebench`` extra: ``pip install -e '.[swebench]'``.
"""

from __future__ import annotations

import importlib
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from harness.errors import ConfigError
from harness.task import Task

INSTALL_HINT = ("the swebench package is needed to grade SWE-bench rows: "
                "pip install -e '.[swebench]'")
_STATUS_LINE = re.compile(r"^(PASSED|FAILED|ERROR|SKIPPED|XFAIL|XPASS)\s+(\S.*?)\s*$", re.M)
_SUBFAILED = re.compile(r"^SUBFAILED\b.*?(\S+::\S+)", re.M)


def swebench_module(name: str) -> ModuleType:
    """``swebench.<name>``, or a ConfigError saying how to install it."""
    try:
        return importlib.import_module(f"swebench.{name}")
    except ImportError as exc:
        raise ConfigError(INSTALL_HINT) from exc


def parser_names() -> list[str]:
    """Every log parser the installed package knows."""
    return sorted(swebench_module("harness.log_parsers").PARSER_REGISTRY)


def test_spec(task: Task, eval_script: str = "") -> Any:
    """The package's ``TestSpec`` of a row, made by its own ``make_test_spec`` (which also
    makes the eval script record the tests' exit code)."""
    utils = swebench_module("harness.utils")
    return utils.make_test_spec({
        "instance_id": task.instance_id, "image": task.image, "repo": task.repo,
        "version": task.version, "FAIL_TO_PASS": list(task.FAIL_TO_PASS),
        "PASS_TO_PASS": list(task.PASS_TO_PASS), "log_parser": task.log_parser,
        "eval_type": task.eval_type or "pass_and_fail",
        "eval_script": eval_script or task.eval_script})


@dataclass
class OfficialGrade:
    """The package's report of one row and what it was decided on."""

    resolved: bool
    report: dict[str, Any]
    """The instance's entry of ``get_eval_report`` (what SWE-bench writes to report.json)."""
    status_map: dict[str, str] = field(default_factory=dict)
    disagreements: list[str] = field(default_factory=list)


def grade_log(task: Task, log: str, patch: str | None) -> OfficialGrade:
    """Grade the eval script's ``log`` for ``task`` as SWE-bench does; ``patch`` None is
    SWE-bench's "no patch" (``patch_is_None``)."""
    grading = swebench_module("harness.grading")
    spec = test_spec(task)
    if task.log_parser not in swebench_module("harness.log_parsers").PARSER_REGISTRY:
        raise ConfigError(f"{task.instance_id}: log parser {task.log_parser!r} is not one "
                          f"the swebench package knows ({len(parser_names())} parsers)")
    with tempfile.TemporaryDirectory(prefix="harness-swebench-") as scratch:
        path = Path(scratch) / "test_output.txt"
        path.write_text(log, encoding="utf-8", errors="surrogateescape")
        prediction = {"instance_id": task.instance_id, "model_patch": patch,
                      "model_name_or_path": "harness"}
        report = grading.get_eval_report(test_spec=spec, prediction=prediction,
                                         test_log_path=str(path), include_tests_status=True)
        status_map, _ = grading.get_logs_eval(spec, str(path))
    entry: dict[str, Any] = report[task.instance_id]
    return OfficialGrade(resolved=bool(entry.get("resolved")), report=entry,
                         status_map=dict(status_map),
                         disagreements=disagreements(task, log, status_map))


def reported_id(text: str) -> str:
    """The test id of a ``pytest -rA`` summary line's text: ``pytest -rA`` follows a failed
    or erroring id with `` - message``; a `` - `` inside a parameter's brackets is the id's."""
    parts = text.split(" - ")
    test = parts[0]
    for part in parts[1:]:
        if test.count("[") <= test.count("]"):
            break
        test = f"{test} - {part}"
    return test.rstrip()


def disagreements(task: Task, log: str, status_map: dict[str, str]) -> list[str]:
    """Where the official reading of ``log`` is known to be wrong for a graded test."""
    graded = set(task.FAIL_TO_PASS) | set(task.PASS_TO_PASS)
    found: list[str] = []
    for status, text in _STATUS_LINE.findall(log):
        test = reported_id(text)
        if " " in test and test.split()[0] in graded:
            found.append(f"{test!r} is {status} in the log; the official parser reads it as "
                         f"{test.split()[0]!r}")
    for test in _SUBFAILED.findall(log):
        if test in graded and status_map.get(test) == "PASSED":
            found.append(f"{test} has a failed subtest (SUBFAILED), which the official "
                         "parser ignores: it counts the test as passed")
    return list(dict.fromkeys(found))
