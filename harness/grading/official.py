"""The 'swebench' grader: a SWE-bench-family row graded exactly as the official harness grades
it (``swebench`` 5.0.2's ``run_instance``), in the row's instance image.

1. The candidate patch is applied with the official fallbacks (``git apply``, then
   ``--3way``, then ``--reject``, then ``patch --fuzz=5``), resetting the tree between
   attempts, and accepted if it turns out to be applied already.
2. The row's eval script (``make_test_spec``: it records the tests' exit code) runs.
3. ``get_eval_report`` reads the log with the row's own ``log_parser`` and ``eval_type``.

The official verdict is the verdict. What the harness's stricter checks see on top of it
(the official parser misreading the log, the static screen of the candidate) is recorded
beside it in ``Outcome.disagreements``, never changing it. An empty submission is not
applied (the official ``--no-patch`` mode): its log is graded, so validation sees the base
state's statuses, but it never resolves.
"""

from __future__ import annotations

from harness.errors import GradingError, TaskFieldError
from harness.grading.candidate import screen
from harness.grading.swebench_logs import grade_log, swebench_module, test_spec
from harness.protocols import Sandbox, SandboxFactory
from harness.results import Outcome, Submission, TestStatus
from harness.task import Task

PATCH_FILE = "/tmp/patch.diff"
START_OUTPUT = ">>>>> Start Test Output"
EVAL_FILE = "/eval.sh"
LOG_LIMIT = 64 << 20
_RESET = "git checkout -- . ; git clean -fd"


class OfficialHarness:
    """Grades with the ``swebench`` package's semantics; needs the ``swebench`` extra."""

    def check(self, task: Task) -> None:
        if not task.log_parser:
            raise TaskFieldError("log_parser", "must name the row's SWE-bench log parser "
                                 "(e.g. parse_log_pytest)")
        if not task.eval_script:
            raise TaskFieldError("eval_script", "must hold the row's eval script (SWE-bench "
                                 "5.x rows carry one)")
        if not task.image:
            raise TaskFieldError("image", "must name the row's instance image")
        eval_test_command(task)

    def grade(self, task: Task, submission: Submission, open_sandbox: SandboxFactory,
              timeout: float) -> Outcome:
        if submission.problem:
            return Outcome(resolved=False, patch_applied=False, candidate_patch="",
                           failure_kind="model", failure=submission.problem)
        patch = submission.patch
        with open_sandbox() as sandbox:
            if patch.strip() and not apply_with_fallbacks(sandbox, patch):
                return Outcome(resolved=False, patch_applied=False, candidate_patch=patch,
                               failure_kind="model", failure="candidate patch did not apply "
                               "(git apply, --3way, --reject and patch --fuzz=5 all failed)")
            log, timed_out = run_eval_script(sandbox, task, timeout)
        if timed_out:
            return Outcome(resolved=False, patch_applied=True, candidate_patch=patch,
                           failure_kind="timeout", log_tail=log[-4000:],
                           failure=f"the eval script ran past {timeout:.0f} s")
        official = grade_log(task, log, patch)
        report = official.report
        if report.get("infra_failure"):
            raise GradingError(f"{task.instance_id}: the official classifier sees an "
                               f"environment fault: {report.get('infra_failure_reason')}")
        found = screen(patch)
        seen = [*official.disagreements,
                *(f"the harness's screen sees tampering: {t}" for t in found.tampering)]
        f2p, p2p = statuses(task, report)
        resolved = official.resolved and bool(patch.strip())
        return Outcome(
            resolved=resolved, patch_applied=bool(report.get("patch_successfully_applied")),
            candidate_patch=patch, fail_to_pass=f2p, pass_to_pass=p2p, log_tail=log[-4000:],
            official_report=report, disagreements=seen, flags=list(found.flags),
            failure_kind=None if resolved else "model",
            failure="" if report.get("patch_successfully_applied") else
            "the official grading found no test results in the log")

    def case_problems(self, task: Task, at_base: Outcome,
                      open_sandbox: SandboxFactory) -> list[str]:
        """A FAIL_TO_PASS test that already passes at the base state makes a broken case."""
        if task.eval_type == "fail_only":
            return []
        passing = sorted(t for t, s in at_base.fail_to_pass.items() if s == "passed")
        return [f"FAIL_TO_PASS tests pass at the base state: {passing}"] if passing else []


def apply_with_fallbacks(sandbox: Sandbox, patch: str) -> bool:
    """The official harness's patch application, command for command."""
    commands = swebench_module("harness.run_evaluation").GIT_APPLY_CMDS
    data = (patch if patch.endswith("\n") else patch + "\n").encode("utf-8", "surrogateescape")
    written = sandbox.exec(["sh", "-c", f"cat > {PATCH_FILE}"], timeout=60, stdin=data)
    if not written.ok:
        raise GradingError(f"could not write the patch into the sandbox: {written.stderr[-300:]}")
    for attempt, command in enumerate(commands):
        if attempt:
            sandbox.exec(["bash", "-c", _RESET], timeout=300)
        # through a shell, as a command line: a fallback tool the image lacks is a failed attempt
        if sandbox.exec(["sh", "-c", f"{command} {PATCH_FILE}"], timeout=300).ok:
            return True
    return sandbox.exec(["git", "apply", "--check", "--reverse", PATCH_FILE], timeout=120).ok


def eval_test_command(task: Task) -> str:
    """The command the row's eval script runs between its test-output markers."""
    lines = task.eval_script.splitlines()
    for number, line in enumerate(lines):
        if START_OUTPUT in line and number + 1 < len(lines):
            return lines[number + 1].strip()
    raise TaskFieldError("eval_script", f"has no test command after {START_OUTPUT!r}")


def run_eval_script(sandbox: Sandbox, task: Task, timeout: float,
                    script_text: str = "") -> tuple[str, bool]:
    """Run the row's eval script, or ``script_text`` in its place, as the official
    ``TestSpec`` writes it; its log (stdout and stderr interleaved as the official harness
    reads them) and whether it timed out."""
    script = test_spec(task, script_text).eval_script.encode("utf-8", "surrogateescape")
    written = sandbox.exec(["sh", "-c", f"cat > {EVAL_FILE}"], timeout=60, stdin=script)
    if not written.ok:
        raise GradingError(f"could not write the eval script: {written.stderr[-300:]}")
    result = sandbox.exec(["sh", "-c", f"/bin/bash {EVAL_FILE} 2>&1"], timeout=timeout,
                          output_limit=LOG_LIMIT)
    return result.stdout, result.timed_out


def statuses(task: Task, report: dict[str, object]) -> tuple[dict[str, TestStatus],
                                                              dict[str, TestStatus]]:
    """Per-test statuses from the official ``tests_status`` (success, failure, or neither)."""
    tests = report.get("tests_status")
    tests = tests if isinstance(tests, dict) else {}

    def read(kind: str, ids: list[str]) -> dict[str, TestStatus]:
        groups = tests.get(kind, {})
        success = set(groups.get("success", [])) if isinstance(groups, dict) else set()
        failure = set(groups.get("failure", [])) if isinstance(groups, dict) else set()
        return {t: "passed" if t in success else "failed" if t in failure else "missing"
                for t in ids}

    return read("FAIL_TO_PASS", task.FAIL_TO_PASS), read("PASS_TO_PASS", task.PASS_TO_PASS)
