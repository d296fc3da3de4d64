"""The hidden-tests grader ('tests'): grade a candidate patch the way SWE-bench does, in a
fresh sandbox, on the grader's terms.

1. At the base state, before any candidate code is present, the test runner must
   start and the hidden tests must apply; a failure there is the machine's (or the
   case's), never the model's.
2. The candidate patch is applied. What configures or extends the test runner is put
   back to the base state and recorded as dropped (``harness.grading.candidate``); test
   files the candidate touched, and every file of the hidden test patch, are put back.
3. The hidden ``test_patch`` is applied and the files holding FAIL_TO_PASS and
   PASS_TO_PASS run behind the report channel (``harness.grading.pytest_run``).
4. The channel, the JUnit report and the exit status must agree; the static screen
   reads the candidate's added lines. Any sign of tampering is a verdict of its own:
   unresolved, recorded, counted in the gate.

``resolved``: no tampering, every FAIL_TO_PASS test passed, every PASS_TO_PASS test
passed or was skipped. Anything that fails after step 1 is the candidate's doing: a
model failure with its reason, never retried as an infrastructure error.
"""

from __future__ import annotations

from harness.errors import BrokenTaskError, GradingError, TaskFieldError
from harness.grading import put_back as back
from harness.grading.candidate import screen
from harness.grading.patches import test_files_of, touched_files
from harness.grading.pytest_run import (
    ChannelRun,
    channel_command,
    channel_script,
    cross_check,
    pytest_invocation,
    run_under_channel,
)
from harness.protocols import Sandbox, SandboxFactory
from harness.results import FailureKind, Outcome, Submission, TestStatus
from harness.task import Task, required_fields


class HiddenTests:
    """The 'tests' grader: the hidden ``test_patch`` decides, FAIL_TO_PASS must pass and
    PASS_TO_PASS must not break."""

    def check(self, task: Task) -> None:
        required_fields(task, ("patch", "test_patch", "FAIL_TO_PASS"),
                        "a case graded by hidden tests needs its gold patch, its hidden tests "
                        "and the tests they must make pass")
        try:
            pytest_invocation(task.test_command)
        except ValueError as exc:
            raise TaskFieldError("test_command", str(exc)) from exc

    def grade(self, task: Task, submission: Submission, open_sandbox: SandboxFactory,
              timeout: float) -> Outcome:
        if submission.problem:
            return Outcome(resolved=False, patch_applied=False, candidate_patch="",
                           failure_kind="model", failure=submission.problem)
        return grade(task, submission.patch, open_sandbox, timeout)

    def case_problems(self, task: Task, at_base: Outcome,
                      open_sandbox: SandboxFactory) -> list[str]:
        """Every FAIL_TO_PASS test must really fail at the base state, not be missing."""
        missing = sorted(t for t, s in at_base.fail_to_pass.items() if s not in ("failed", "error"))
        return [f"FAIL_TO_PASS tests do not fail at the base state: {missing}"] if missing else []


def grade(task: Task, candidate_patch: str, open_sandbox: SandboxFactory,
          timeout: float = 900.0) -> Outcome:
    """Grade ``candidate_patch`` for ``task`` in a sandbox from ``open_sandbox``."""
    unresolved = Outcome(resolved=False, patch_applied=True, candidate_patch=candidate_patch,
                         failure_kind="model")
    with open_sandbox() as sandbox:
        check_runner(sandbox, task.test_command)
        check_hidden_tests_apply(sandbox, task)
        if candidate_patch.strip() and not apply_patch_text(sandbox, candidate_patch):
            return unresolved.model_copy(update={"patch_applied": False,
                                                 "failure": "candidate patch did not apply"})
        try:
            dropped, restored = put_back_what_the_grader_owns(sandbox, task)
        except back.PutBackError as exc:
            return unresolved.model_copy(update={
                "failure": f"the grader could not put the candidate's files back: {exc}"})
        if not apply_patch_text(sandbox, task.test_patch):
            return unresolved.model_copy(update={
                "failure": "the candidate's changes keep the hidden tests from applying"})
        graded = [*task.FAIL_TO_PASS, *task.PASS_TO_PASS]
        run = run_under_channel(sandbox, task.test_command, test_files_of(graded), timeout)
        limits = sandbox.limits_reached()
    found = screen(candidate_patch, skipped=frozenset([*dropped, *restored]))
    return verdict(task, candidate_patch, run, limits, unresolved.model_copy(update={
        "dropped": dropped, "restored_test_files": restored, "flags": list(found.flags),
        "tampering": [*found.tampering, *cross_check(run, graded)], "log_tail": run.log_tail}))


def verdict(task: Task, candidate_patch: str, run: ChannelRun, limits: list[str],
            outcome: Outcome) -> Outcome:
    """Statuses from the channel, then why the case is not resolved, if it is not."""
    f2p: dict[str, TestStatus] = {t: _status(run, t) for t in task.FAIL_TO_PASS}
    p2p: dict[str, TestStatus] = {t: _status(run, t) for t in task.PASS_TO_PASS}
    failure, kind = _failure(run, limits)
    if outcome.tampering:
        kind = "tampering"
    resolved = (bool(candidate_patch.strip()) and not outcome.tampering and not failure
                and all(s == "passed" for s in f2p.values())
                and all(s in ("passed", "skipped") for s in p2p.values()))
    return outcome.model_copy(update={
        "resolved": resolved, "fail_to_pass": f2p, "pass_to_pass": p2p, "failure": failure,
        "failure_kind": None if resolved else kind})


def _status(run: ChannelRun, test: str) -> TestStatus:
    """A test's status in ``run``. One that did not run is 'error' when the runner could not
    get to it (its module, a package or conftest above it failed to import, or pytest
    stopped before running tests) and 'missing' when pytest ran and it was nowhere."""
    if test in run.statuses:
        return run.statuses[test]
    if run.finished not in (0, 1, 5):
        return "error"
    module = test.split("::", 1)[0]
    for failed in run.collect_errors:
        folder = failed.removesuffix("__init__.py").removesuffix("conftest.py").rstrip("/")
        if module == failed or not folder or module.startswith(folder + "/"):
            return "error"
    return "missing"


def _failure(run: ChannelRun, limits: list[str]) -> tuple[str, FailureKind]:
    """Why the run itself failed, beyond the tests' statuses ('' when it did not)."""
    if run.timed_out:
        return "the graded tests ran past the grading timeout", "timeout"
    kind: FailureKind = "resource_limit" if limits else "model"
    reached = f" (limits reached: {', '.join(limits)})" if limits else ""
    if run.finished is None:
        return (f"the test run ended before pytest finished (exit {run.exit_code}){reached}",
                kind)
    if run.finished in (2, 3, 4) and not run.collect_errors:
        return f"pytest stopped with exit status {run.finished}{reached}", kind
    return ("", "resource_limit") if limits else ("", "model")


def check_runner(sandbox: Sandbox, test_command: str) -> None:
    """Prove the test runner starts, behind the channel, before any candidate code is in
    the sandbox: a broken environment is then the machine's failure, and anything that
    breaks the runner later is the candidate's."""
    command = channel_command(sandbox, test_command, "runner-check.log", ["--version"])
    result = sandbox.exec(command, timeout=120, stdin=channel_script())
    if not result.ok:
        log = sandbox.read_scratch("runner-check.log") or b""
        raise GradingError(f"the test command {test_command!r} does not run in the sandbox "
                           f"(exit {result.exit_code}): {log.decode(errors='replace')[-500:]}")


def check_hidden_tests_apply(sandbox: Sandbox, task: Task) -> None:
    """The hidden tests must apply to the base state; if not, the case is broken."""
    data = (task.test_patch if task.test_patch.endswith("\n") else task.test_patch + "\n")
    result = sandbox.exec(["git", "apply", "--check", "--whitespace=nowarn", "--binary", "-"],
                          timeout=120, stdin=data.encode("utf-8", "surrogateescape"))
    if not result.ok:
        raise BrokenTaskError(f"{task.instance_id}: the hidden test patch does not apply to "
                              f"the base state; the task is broken: {result.stderr[-300:]}")


def put_back_what_the_grader_owns(sandbox: Sandbox, task: Task) -> tuple[list[str], list[str]]:
    """Put back runner configuration and tests the candidate changed, and the files of the
    hidden tests; (dropped runner changes, restored test files)."""
    changed = back.changed_paths(sandbox)
    hidden = touched_files(task.test_patch)
    at_base = back.paths_at_base(sandbox, [*changed, *hidden])
    dropped = back.runner_changes(sandbox, changed, at_base)
    restored = [path for path in back.test_changes(changed) if path not in dropped]
    back.put_back(sandbox, list(dict.fromkeys([*dropped, *restored, *hidden])), at_base)
    return dropped, restored


def apply_patch_text(sandbox: Sandbox, patch: str) -> bool:
    """Apply a git patch in the sandbox; False when it does not apply."""
    data = (patch if patch.endswith("\n") else patch + "\n").encode("utf-8", "surrogateescape")
    result = sandbox.exec(["git", "apply", "--whitespace=nowarn", "--binary", "-"],
                          timeout=120, stdin=data)
    return result.ok
