"""Plain test runs with a JUnit report, for generators working on trusted source trees.

Grading never uses these: it runs the hidden tests behind the channel of
``harness.grading.pytest_run``, which a candidate's code cannot rewrite.
"""

from __future__ import annotations

import secrets
import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from harness.errors import GradingError
from harness.protocols import Sandbox

_MISSING_COMMAND = (126, 127)


def run_test_files(sandbox: Sandbox, test_command: str, files: list[str],
                   timeout: float) -> tuple[bytes | None, str]:
    """Run test files (all tests when ``files`` is empty); the JUnit XML report and the log."""
    run = run_tests_once(sandbox, test_command, files, timeout)
    return run.report, run.log


@dataclass(frozen=True)
class TestRun:
    """One run of the test command: its JUnit report (None if none was written) and log."""

    report: bytes | None
    log: str
    timed_out: bool
    seconds: float


def run_tests_once(sandbox: Sandbox, test_command: str, files: list[str],
                   timeout: float, options: Sequence[str] = ()) -> TestRun:
    """Run the test command with a JUnit report written to the sandbox's scratch directory
    (``options``: more of pytest's, such as ``--showlocals``)."""
    name = f"junit-{secrets.token_hex(8)}.xml"
    command = [*shlex.split(test_command), f"--junitxml={sandbox.scratch_dir}/{name}",
               "-o", "junit_family=xunit1", "-o", "junit_logging=no", *options, *files]
    result = sandbox.exec(command, timeout=timeout)
    log = result.combined()
    if result.exit_code in _MISSING_COMMAND:
        raise GradingError(f"test command could not start: {log[-500:]}")
    return TestRun(sandbox.read_scratch(name), log, result.timed_out, result.seconds)
