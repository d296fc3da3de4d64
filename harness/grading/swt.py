"""The 'swt' grader: model-written tests graded as SWT-Bench grades them.

The submission is a test patch. Its tests run four times, each in a fresh sandbox of the
row's image: without and with the candidate's patch (*base*, *pred*), each on the original
code (*pre*) and with the gold code patch applied (*post*). The row's test command runs on
the files the candidate's patch touches; the row's own log parser (the ``swebench``
package's) reads each log. SWT-Bench's measures, per instance:

- **applicable (W)**: the candidate's patch applies and at least one of its tests runs;
- **resolved (S)**: some test of the candidate's goes from failing (or absent) before the
  gold patch to passing after it, beyond what the base run already shows, and the
  candidate adds no pass-to-fail and no fail-to-fail test;
- **fail_to_x (F→X)**: some new test fails (or errors) before the gold patch;
- **coverage_delta**: the share of the gold patch's executable lines (removed lines on the
  original code, added lines on the patched code) that the candidate's tests execute and
  the base run does not, measured with coverage.py.

Coverage is measured by a coverage.py release for the row's own interpreter, copied into
the sandbox (``harness.grading.coverage_kit``: a ``sitecustomize`` starts it in every
Python process of the test command); where none can be had, or the gold patch touches no
Python file, the coverage numbers are absent rather than zero. A grader for any row whose
capability asks for tests (``testing`` later) rather than a fix.
"""

from __future__ import annotations

import json
import shlex
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any, Literal

from harness.errors import GradingError, TaskFieldError
from harness.grading.candidate import screen
from harness.grading.coverage_kit import coverage_kit, coverage_package, interpreter_version
from harness.grading.official import (
    START_OUTPUT,
    apply_with_fallbacks,
    eval_test_command,
    run_eval_script,
)
from harness.grading.patches import file_diffs, is_test_path, touched_files
from harness.grading.swebench_logs import swebench_module, test_spec
from harness.protocols import SandboxFactory
from harness.results import Outcome, Submission, TestStatus
from harness.task import Task

Result = Literal["PASSED", "FAILED"] | None
Line = tuple[str, int]
KIT = "swt-coverage"
START_LINE = f": '{START_OUTPUT}'"
END_MARKER = ": '>>>>> End Test Output'"
COVERAGE_BEGIN = ">>>>> Coverage JSON"


@dataclass
class RunRecord:
    """One of the four runs: the statuses the row's parser read, and coverage.py's lines."""

    statuses: dict[str, str]
    executed: dict[str, set[int]] | None = None
    """File -> lines executed; None when coverage could not be measured."""
    statements: dict[str, set[int]] = field(default_factory=dict)
    """File -> executable lines (coverage.py's statements) of the files the run loaded."""
    log: str = ""
    timed_out: bool = False
    reads: dict[str, list[str]] = field(default_factory=dict)
    """Test -> repository files it opened itself (the harness's channel runs only)."""

    def result(self, test: str) -> Result:
        """PASSED or FAILED as SWT-Bench counts them; anything else (error, skip) is None."""
        status = self.statuses.get(test)
        return status if status in ("PASSED", "FAILED") else None  # type: ignore[return-value]


@dataclass
class Transitions:
    """SWT-Bench's classes of tests between a pre and a post run."""

    fail_to_pass: set[str]
    pass_to_pass: set[str]
    fail_to_fail: set[str]
    pass_to_fail: set[str]
    fail_to_x: set[str]
    """Tests that do not pass before the gold patch (failed, errored or absent)."""

    def as_report(self) -> dict[str, list[str]]:
        return {"FAIL_TO_PASS": sorted(self.fail_to_pass),
                "PASS_TO_PASS": sorted(self.pass_to_pass),
                "FAIL_TO_FAIL": sorted(self.fail_to_fail),
                "PASS_TO_FAIL": sorted(self.pass_to_fail)}


def transitions(pre: RunRecord, post: RunRecord) -> Transitions:
    """Every test either run reports, classed by its (pre, post) results: a test absent or
    erroring before and passing after is fail-to-pass; passing before and anything but
    passing after is pass-to-fail; the rest that do not pass after are fail-to-fail."""
    classes: Transitions = Transitions(set(), set(), set(), set(), set())
    for test in set(pre.statuses) | set(post.statuses):
        before, after = pre.result(test), post.result(test)
        if before != "PASSED":
            classes.fail_to_x.add(test)
        if after == "PASSED":
            (classes.pass_to_pass if before == "PASSED" else classes.fail_to_pass).add(test)
        else:
            (classes.pass_to_fail if before == "PASSED" else classes.fail_to_fail).add(test)
    return classes


@dataclass
class SwtVerdict:
    """The measures of one instance, from the transitions of the base and candidate runs."""

    resolved: bool
    added_fail_to_pass: list[str]
    fail_to_x: bool
    added_failures: list[str]


def verdict(base: Transitions, pred: Transitions) -> SwtVerdict:
    """SWT-Bench's success: the candidate keeps every fail-to-pass of the base run, adds at
    least one, and adds no pass-to-fail or fail-to-fail test. F→X: a test that does not pass
    before the gold patch is new (an added fail-to-pass is one)."""
    added = sorted(pred.fail_to_pass - base.fail_to_pass)
    failures = sorted((pred.pass_to_fail - base.pass_to_fail)
                      | (pred.fail_to_fail - base.fail_to_fail))
    resolved = pred.fail_to_pass >= base.fail_to_pass and bool(added) and not failures
    fail_to_x = bool(added) or bool(pred.fail_to_x - base.fail_to_x)
    return SwtVerdict(resolved=resolved, added_fail_to_pass=added, fail_to_x=fail_to_x,
                      added_failures=failures)


def changed_lines(gold_patch: str) -> tuple[list[Line], list[Line]]:
    """The gold patch's (removed lines in old numbering, added lines in new numbering)."""
    removed: list[Line] = []
    added: list[Line] = []
    for diff in file_diffs(gold_patch):
        removed.extend((diff.old_path, number) for number, _ in diff.removed_lines())
        added.extend((diff.path, number) for number, _ in diff.added_lines())
    return removed, added


def _executable(lines: Iterable[Line], runs: Sequence[RunRecord]) -> list[Line]:
    return [(path, n) for path, n in lines if any(n in r.statements.get(path, ()) for r in runs)]


def _covered(lines: Iterable[Line], run: RunRecord) -> set[Line]:
    executed = run.executed or {}
    return {(path, n) for path, n in lines if n in executed.get(path, ())}


def coverage_measures(gold_patch: str, base_pre: RunRecord, base_post: RunRecord,
                      pred_pre: RunRecord, pred_post: RunRecord) -> dict[str, float | int] | None:
    """Coverage of the gold patch's executable lines by the candidate's runs and the base
    runs, and the candidate's gain over the base (``coverage_delta``); None when coverage
    was not measured or no changed line is executable."""
    runs = (base_pre, base_post, pred_pre, pred_post)
    if any(run.executed is None for run in runs):
        return None
    removed, added = changed_lines(gold_patch)
    removed = _executable(removed, (base_pre, pred_pre))
    added = _executable(added, (base_post, pred_post))
    total = len(removed) + len(added)
    if not total:
        return None
    # a removed and an added line may share a number: count each side on its own
    pred = len(_covered(removed, pred_pre)), len(_covered(added, pred_post))
    base_removed, base_added = _covered(removed, base_pre), _covered(added, base_post)
    gain = (len(_covered(removed, pred_pre) - base_removed)
            + len(_covered(added, pred_post) - base_added))
    return {"executable_lines": total, "coverage_pred": sum(pred) / total,
            "coverage_base": (len(base_removed) + len(base_added)) / total,
            "coverage_delta": gain / total}


class SwtTests:
    """Grades a test patch against the row's gold code patch; needs the ``swebench`` extra."""

    def check(self, task: Task) -> None:
        if not task.patch.strip():
            raise TaskFieldError("patch", "must hold the gold code patch the tests are run "
                                 "against")
        if not task.log_parser:
            raise TaskFieldError("log_parser", "must name the row's SWE-bench log parser")
        if not task.eval_script:
            raise TaskFieldError("eval_script", "must hold the row's eval script (its "
                                 "environment set-up and test command are reused)")

    def grade(self, task: Task, submission: Submission, open_sandbox: SandboxFactory,
              timeout: float) -> Outcome:
        patch = submission.patch
        if submission.problem or not patch.strip():
            return Outcome(resolved=False, patch_applied=False, candidate_patch=patch,
                           failure_kind="model",
                           failure=submission.problem or "no tests submitted")
        tests = [p for p in touched_files(patch) if is_test_path(p) or p.endswith(".py")]
        if not tests:
            return Outcome(resolved=False, patch_applied=False, candidate_patch=patch,
                           failure_kind="model", failure="the patch touches no test file")
        runs: dict[str, RunRecord] = {}
        for name, patches in (("base_pre", []), ("base_post", [task.patch]),
                              ("pred_pre", [patch]), ("pred_post", [patch, task.patch])):
            run = self._run(task, open_sandbox, patches, tests, timeout)
            if run is None:
                which = "the candidate's patch" if name == "pred_pre" else "the gold patch"
                return Outcome(resolved=False, patch_applied=name != "pred_pre",
                               candidate_patch=patch, failure_kind="model",
                               failure=f"{which} did not apply ({name} run)")
            if run.timed_out:
                return Outcome(resolved=False, patch_applied=True, candidate_patch=patch,
                               failure_kind="timeout", log_tail=run.log[-4000:],
                               failure=f"the {name} test run passed {timeout:.0f} s")
            runs[name] = run
        return self._outcome(task, patch, runs)

    def case_problems(self, task: Task, at_base: Outcome,
                      open_sandbox: SandboxFactory) -> list[str]:
        return []

    def _run(self, task: Task, open_sandbox: SandboxFactory, patches: Sequence[str],
             tests: Sequence[str], timeout: float) -> RunRecord | None:
        """One run in a fresh sandbox; None when one of ``patches`` does not apply."""
        with open_sandbox() as sandbox:
            for patch in patches:
                if not apply_with_fallbacks(sandbox, patch):
                    return None
            kit = f"{sandbox.scratch_dir}/{KIT}"
            package = coverage_package(interpreter_version(sandbox, eval_preamble(task)))
            unpacked = sandbox.exec(["sh", "-c", f"mkdir -p {kit} && tar -x -C {kit}"], timeout=120,
                                    stdin=coverage_kit(kit, sandbox.workdir, task.patch, package))
            if not unpacked.ok:
                raise GradingError(f"could not copy coverage.py into the sandbox: "
                                   f"{unpacked.stderr[-300:]}")
            script = swt_eval_script(task, tests, kit)
            log, timed_out = run_eval_script(sandbox, task, timeout, script)
            workdir = sandbox.workdir
        return RunRecord(statuses=parse_statuses(task, log, script), log=log, timed_out=timed_out,
                       **read_coverage(log, workdir))

    def _outcome(self, task: Task, patch: str, runs: dict[str, RunRecord]) -> Outcome:
        base = transitions(runs["base_pre"], runs["base_post"])
        pred = transitions(runs["pred_pre"], runs["pred_post"])
        found = verdict(base, pred)
        applicable = bool(runs["pred_pre"].statuses or runs["pred_post"].statuses)
        coverage = coverage_measures(task.patch, *runs.values())
        scores = {"applicable": float(applicable), "fail_to_x": float(found.fail_to_x)}
        if coverage is not None:
            scores["coverage_delta"] = float(coverage["coverage_delta"])
        report: dict[str, Any] = {
            "patch_is_None": False, "patch_exists": True, "patch_successfully_applied": True,
            "applicable": applicable, "resolved": found.resolved, "fail_to_x": found.fail_to_x,
            "added_f2p": len(found.added_fail_to_pass), **(coverage or {}),
            "tests_base": base.as_report(), "tests_pred": pred.as_report()}
        post = runs["pred_post"]
        statuses: dict[str, TestStatus] = {
            test: "passed" if post.result(test) == "PASSED" else "failed"
            for test in sorted(pred.fail_to_x - base.fail_to_x)}
        return Outcome(
            resolved=found.resolved, patch_applied=True, candidate_patch=patch,
            fail_to_pass=statuses, official_report=report, scores=scores,
            flags=list(screen(patch).flags), log_tail=post.log[-4000:],
            failure_kind=None if found.resolved else "model",
            failure="" if found.resolved else _why(found, applicable))


def _why(found: SwtVerdict, applicable: bool) -> str:
    if not applicable:
        return "none of the candidate's tests ran"
    if found.added_failures:
        return (f"{len(found.added_failures)} test(s) of the candidate's fail with the gold "
                f"patch: {', '.join(found.added_failures[:3])}")
    return "no test of the candidate's fails before the gold patch and passes after it"


def runner_command(command: str, gold_tests: Sequence[str],
                    tests: Sequence[str]) -> str:
    """The row's test command with the gold test patch's files replaced by ``tests``, in
    the same form: paths, or dotted modules (Django's ``runtests.py``)."""
    words = shlex.split(command)
    dotted = {_dotted(path): path for path in gold_tests}
    style = "path"
    while words and (words[-1] in gold_tests or words[-1].split("::")[0] in gold_tests
                     or words[-1] in dotted):
        style = "dotted" if words[-1] in dotted and words[-1] not in gold_tests else style
        words.pop()
    chosen = [_dotted(t) if style == "dotted" else t for t in tests if t.endswith(".py")]
    return shlex.join([*words, *chosen])


def _dotted(path: str) -> str:
    parts = list(PurePosixPath(path).with_suffix("").parts)
    return ".".join(parts[1:] if parts and parts[0] == "tests" else parts)


def eval_preamble(task: Task) -> list[str]:
    """The row's eval script up to its reset of the test files: the environment set-up."""
    lines = task.eval_script.splitlines()
    stop = next((n for n, line in enumerate(lines)
                 if line.startswith(f"git checkout {task.base_commit}")
                 or START_OUTPUT in line), len(lines))
    return lines[:stop]


def swt_eval_script(task: Task, tests: Sequence[str], kit: str) -> str:
    """The row's eval script up to its reset of the test files (environment, install), then
    the row's test command on ``tests`` under coverage.py, then the coverage report."""
    gold_tests = touched_files(task.test_patch)
    command = runner_command(eval_test_command(task), gold_tests, tests)
    return "\n".join([
        *eval_preamble(task),
        f"export PYTHONPATH={kit}${{PYTHONPATH:+:$PYTHONPATH}}",
        f"export COVERAGE_PROCESS_START={kit}/coveragerc",
        START_LINE, command, END_MARKER,
        "set +x; unset COVERAGE_PROCESS_START",
        f"python -m coverage combine --rcfile={kit}/coveragerc -q >/dev/null 2>&1 && "
        f"python -m coverage json --rcfile={kit}/coveragerc -q -o {kit}/coverage.json "
        ">/dev/null 2>&1",
        f"echo '{COVERAGE_BEGIN}'; cat {kit}/coverage.json 2>/dev/null; echo", ""])


def parse_statuses(task: Task, log: str, script: str) -> dict[str, str]:
    """The row's log parser's statuses of a run, through the package's ``get_logs_eval``
    (its exit-status cross-check included); empty when it finds no valid run."""
    grading = swebench_module("harness.grading")
    with tempfile.TemporaryDirectory(prefix="harness-swt-") as scratch:
        path = Path(scratch) / "test_output.txt"
        path.write_text(log.split(f"\n{COVERAGE_BEGIN}")[0], encoding="utf-8",
                        errors="surrogateescape")
        statuses, _ = grading.get_logs_eval(test_spec(task, eval_script=script), str(path))
    return dict(statuses)


def read_coverage(log: str, workdir: str) -> dict[str, Any]:
    """``executed`` and ``statements`` from the coverage JSON at the end of ``log``."""
    _, marker, tail = log.rpartition(f"{COVERAGE_BEGIN}\n")
    try:
        report = json.loads(tail.strip()) if marker and tail.strip() else None
    except json.JSONDecodeError:
        report = None
    if not isinstance(report, dict) or not isinstance(report.get("files"), dict):
        return {"executed": None}
    return coverage_lines(report, workdir)


def coverage_lines(report: dict[str, Any], workdir: str) -> dict[str, Any]:
    """``executed`` and ``statements`` (file -> line numbers, relative to ``workdir``) of a
    coverage.py JSON report whose ``files`` is a mapping."""
    executed: dict[str, set[int]] = {}
    statements: dict[str, set[int]] = {}
    for name, data in report["files"].items():
        path = str(name).removeprefix(f"{workdir}/")
        executed[path] = {int(n) for n in data.get("executed_lines", [])}
        statements[path] = executed[path] | {int(n) for n in data.get("missing_lines", [])}
    return {"executed": executed, "statements": statements}
