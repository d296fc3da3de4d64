"""Grade a candidate patch the way SWE-bench does, in a fresh sandbox.

Steps: check that the test runner starts (an infrastructure check, made
before any candidate code is present); apply the candidate patch; put every
test file it touched (and every file of the hidden test patch) back as it was
at the base commit; apply the hidden ``test_patch``; run the files holding
FAIL_TO_PASS and PASS_TO_PASS; read per-test results from JUnit XML.
``resolved`` means every FAIL_TO_PASS test passes and every PASS_TO_PASS test
passes or is skipped.

Known limit: the tests run in the same process as the candidate's code, so a
candidate that patches pytest itself at run time could forge its report; the
report is written outside the repository, under a random name.
"""

from __future__ import annotations

import secrets
import shlex
from collections.abc import Callable
from contextlib import AbstractContextManager
from dataclasses import dataclass

from harness.errors import BrokenTaskError, GradingError
from harness.grading.junit import junit_key, parse_junit_keys
from harness.grading.patches import is_test_path, test_files_of, touched_files
from harness.protocols import Sandbox
from harness.results import Outcome, TestStatus
from harness.task import Task

SandboxFactory = Callable[[], AbstractContextManager[Sandbox]]
_MISSING_COMMAND = (126, 127)


def grade(task: Task, candidate_patch: str, open_sandbox: SandboxFactory,
          timeout: float = 900.0) -> Outcome:
    """Grade ``candidate_patch`` for ``task`` in a sandbox from ``open_sandbox``."""
    with open_sandbox() as sandbox:
        check_test_command(sandbox, task.test_command)
        applied = apply_patch_text(sandbox, candidate_patch) if candidate_patch.strip() else True
        if not applied:
            return Outcome(resolved=False, patch_applied=False, candidate_patch=candidate_patch)
        restored = _restore_test_files(sandbox, candidate_patch, task.test_patch)
        if not apply_patch_text(sandbox, task.test_patch):
            raise BrokenTaskError(f"{task.instance_id}: the hidden test patch does not apply "
                               "on top of the candidate; the task is broken")
        report, log = _run_tests(sandbox, task, timeout)
    statuses = parse_junit_keys(report or b"")
    f2p: dict[str, TestStatus] = {t: statuses.get(junit_key(t), "missing")
                                  for t in task.FAIL_TO_PASS}
    p2p: dict[str, TestStatus] = {t: statuses.get(junit_key(t), "missing")
                                  for t in task.PASS_TO_PASS}
    resolved = (bool(candidate_patch.strip())
                and all(s == "passed" for s in f2p.values())
                and all(s in ("passed", "skipped") for s in p2p.values()))
    return Outcome(resolved=resolved, patch_applied=True, candidate_patch=candidate_patch,
                   fail_to_pass=f2p, pass_to_pass=p2p, restored_test_files=restored,
                   log_tail=log[-4000:])


def check_test_command(sandbox: Sandbox, test_command: str) -> None:
    """Prove the test runner starts in this sandbox before any candidate code is in it.

    Without this a broken environment (no interpreter, no pytest) would produce
    no report and be scored as the model's failure; after it, a missing report
    can only be the candidate's doing.
    """
    result = sandbox.exec([*shlex.split(test_command), "--version"], timeout=120)
    if not result.ok:
        raise GradingError(f"the test command {test_command!r} does not run in the sandbox "
                           f"(exit {result.exit_code}): {result.combined().strip()[-500:]}")


def apply_patch_text(sandbox: Sandbox, patch: str) -> bool:
    """Apply a git patch in the sandbox; False when it does not apply."""
    data = (patch if patch.endswith("\n") else patch + "\n").encode()
    result = sandbox.exec(["git", "apply", "--whitespace=nowarn", "--binary", "-"],
                          timeout=120, stdin=data)
    return result.ok


def _restore_test_files(sandbox: Sandbox, candidate: str, test_patch: str) -> list[str]:
    """Put test files back to their base state; return those the candidate had touched."""
    from_candidate = [p for p in touched_files(candidate) if is_test_path(p)]
    paths = list(dict.fromkeys([*from_candidate, *touched_files(test_patch)]))
    for path in paths:
        at_base = sandbox.exec(["git", "cat-file", "-e", f"HEAD:{path}"], timeout=60).ok
        command = (["git", "checkout", "HEAD", "--", path] if at_base
                   else ["rm", "-rf", "--", path])
        result = sandbox.exec(command, timeout=60)
        if not result.ok:
            raise GradingError(f"could not restore {path}: {result.combined()[-500:]}")
    return from_candidate


def _run_tests(sandbox: Sandbox, task: Task, timeout: float) -> tuple[bytes | None, str]:
    files = test_files_of([*task.FAIL_TO_PASS, *task.PASS_TO_PASS])
    return run_test_files(sandbox, task.test_command, files, timeout)


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
                   timeout: float) -> TestRun:
    """Run the test command with a JUnit report written to the sandbox's scratch directory."""
    name = f"junit-{secrets.token_hex(8)}.xml"
    command = [*shlex.split(test_command), f"--junitxml={sandbox.scratch_dir}/{name}",
               "-o", "junit_family=xunit1", "-o", "junit_logging=no", *files]
    result = sandbox.exec(command, timeout=timeout)
    log = result.combined()
    if result.exit_code in _MISSING_COMMAND:
        raise GradingError(f"test command could not start: {log[-500:]}")
    return TestRun(sandbox.read_scratch(name), log, result.timed_out, result.seconds)
