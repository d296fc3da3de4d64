"""Graders for tests the model writes, on projects run by their own pytest (the testing
capability's cases; SWT-Bench rows in their images use ``harness.grading.swt``).

Only the candidate's test files are judged: its changes to code, to runner configuration
and to ``conftest.py`` files are put back first (``harness.grading.put_back``). Every run
is in a fresh sandbox, behind the grader's report channel (``harness.grading.pytest_run``),
with coverage.py measuring the files the reference patch changes
(``harness.grading.coverage_kit``). Three graders:

- ``reproduction``: SWT-Bench's verdict (``harness.grading.swt``). The candidate's tests
  run on the original code (*pre*) and with the gold fix (*post*), the base runs being the
  same files before the candidate changed them; resolved when a new test goes from failing
  to passing and none of the candidate's tests fails with the gold fix. Scores:
  ``applicable``, ``fail_to_x``, ``coverage_delta``.
- ``tdd``: the same verdict for its tests, and the hidden tests for its fix (the
  candidate's whole patch, graded as a bug fix): resolved when both are. Adds
  ``fix_resolved``.
- ``coverage_gap``: tests for a named function of correct code (``expected.function``).
  Resolved when every test of the candidate's passes, it catches the case's mutant of the
  function (``expected.mutant``, a patch), and it executes lines of the function that the
  repository's remaining test-suite does not. Scores: ``coverage_delta`` (the share of
  the function's executable lines newly executed), ``mutant_caught``.

A test that opens a file of the reference patch itself (``open``, ``inspect.getsource``:
the channel's audit hook sees it) reads the code's text rather than testing its
behaviour, and never counts; so does one whose result changes when the tests are run
again on the code they were judged on with a comment line added to each file of the
reference patch (a hash of the tree, ``git diff``). A test
skipped before the fix reproduces nothing (only one that fails there counts), one skipped
with the fix alone is a failure, and one skipped either way (a platform's skip) is left
out; tampering found by the static screen (``harness.grading.candidate``) is never
resolved.

Each run of the candidate's tests is made ``RERUNS`` times (in one sandbox, a process
each): a test whose status differs between them is **flaky**, and a flaky submission is
never resolved (``flaky`` 1). An assertion the candidate adds that the repository's tests
already make, compared as syntax trees, is **redundant** (``redundant``: their share of
its new assertions).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from harness.errors import BrokenTaskError, TaskFieldError
from harness.grading import put_back as back
from harness.grading.candidate import screen
from harness.grading.coverage_kit import coverage_kit, coverage_package, interpreter_version
from harness.grading.grader import HiddenTests, apply_patch_text
from harness.grading.patches import is_test_path, touched_files
from harness.grading.pytest_run import ChannelRun, pytest_invocation, run_under_channel
from harness.grading.swt import RunRecord, coverage_lines, transitions, verdict
from harness.grading.test_quality import new_assertions, redundant_share
from harness.protocols import Sandbox, SandboxFactory
from harness.results import FailureKind, Outcome, Submission, TestStatus
from harness.task import Task

RERUNS = 3
KIT = "written-tests-coverage"
Mode = Literal["reproduction", "tdd", "coverage_gap"]


class CoverageGap(BaseModel):
    """What a coverage-gap case asks tests for (read from ``Task.expected``)."""

    model_config = ConfigDict(extra="ignore")

    function: str = Field(description="the dotted name of the function to cover")
    path: str = Field(description="the file that defines it")
    lines: list[int] = Field(min_length=2, max_length=2, description="its first and last line")
    mutant: str = Field(description="a patch that puts a bug in it, which good tests catch")


@dataclass
class BaseFacts:
    """What the base state says of the candidate's tests: which of its files existed, and
    the share of its new assertions the repository's tests already made."""

    existing: list[str]
    redundant: float


@dataclass
class Prepared:
    """The candidate's tests in a sandbox: the files, and what was put back."""

    tests: list[str]
    put_back: list[str]


def prepare(sandbox: Sandbox, patch: str) -> Prepared | None:
    """Apply the candidate's patch, then put back everything of it but its test files
    (code, runner configuration, ``conftest.py``); None when the patch does not apply."""
    if not apply_patch_text(sandbox, patch):
        return None
    changed = back.changed_paths(sandbox)
    at_base = back.paths_at_base(sandbox, changed)
    runner = set(back.runner_changes(sandbox, changed, at_base))
    kept = [path for path in changed if is_test_path(path) and path not in runner
            and path.endswith(".py")]
    others = [path for path in changed if path not in kept]
    back.put_back(sandbox, others, at_base)
    present = {entry for entry in kept if sandbox_has(sandbox, entry)}
    return Prepared(sorted(present), others)


def _test_sources(sandbox: Sandbox) -> dict[str, str]:
    """The repository's Python test files as committed, path -> text."""
    tracked = sandbox.exec(["git", "ls-files", "-z"], timeout=60).stdout.split("\0")
    return {path: sandbox.read_file(path).decode("utf-8", "replace")
            for path in tracked if is_test_path(path) and path.endswith(".py")}


def sandbox_has(sandbox: Sandbox, path: str) -> bool:
    return sandbox.exec(["test", "-f", path], timeout=30).ok


_RESULTS = {"passed": "PASSED", "skipped": "SKIPPED"}  # failed, error, missing: FAILED


def _record(run: ChannelRun, coverage: Mapping[str, object] | None) -> RunRecord:
    statuses = {test: _RESULTS.get(status, "FAILED") for test, status in run.statuses.items()}
    if coverage is None:
        return RunRecord(statuses=statuses, executed=None, timed_out=run.timed_out,
                         log=run.log_tail, reads=run.reads)
    return RunRecord(statuses=statuses, timed_out=run.timed_out, log=run.log_tail,
                     reads=run.reads, **coverage)  # type: ignore[arg-type]


def text_readers(runs: Sequence[RunRecord], reference: str) -> list[str]:
    """"test (file)" for each test that opened a file ``reference`` changes in ``runs``:
    it reads the code's text instead of running it (``pytest_channel``'s audit hook)."""
    files = set(touched_files(reference))
    return sorted({f"{test} ({path})" for run in runs for test, paths in run.reads.items()
                   for path in paths if path in files})


def measured_run(sandbox: Sandbox, task: Task, files: Sequence[str] | None,
                 measured_patch: str, timeout: float) -> RunRecord:
    """Run ``files`` (None: the whole suite) behind the channel with coverage.py measuring
    the files ``measured_patch`` changes; no files, no run (nothing executed)."""
    if files is not None and not files:
        return RunRecord(statuses={}, executed={}, statements={})
    kit = f"{sandbox.scratch_dir}/{KIT}"
    package = coverage_package(interpreter_version(sandbox, []))
    unpacked = sandbox.exec(["sh", "-c", f"mkdir -p {kit} && tar -x -C {kit}"], timeout=120,
                            stdin=coverage_kit(kit, sandbox.workdir, measured_patch, package))
    environment = {"PYTHONPATH": kit, "COVERAGE_PROCESS_START": f"{kit}/coveragerc"}
    run = run_under_channel(sandbox, task.test_command, list(files or []), timeout,
                            environment=environment if unpacked.ok else None)
    coverage = None
    if unpacked.ok and package is not None:
        report = sandbox.exec(["sh", "-c", f"python -m coverage combine --rcfile={kit}/coveragerc"
                               f" -q && python -m coverage json --rcfile={kit}/coveragerc -q "
                               f"-o {kit}/coverage.json"], timeout=120)
        data = sandbox.read_scratch(f"{KIT}/coverage.json") if report.ok else None
        coverage = _coverage(data, sandbox.workdir)
    return _record(run, coverage)


def _coverage(data: bytes | None, workdir: str) -> dict[str, object] | None:
    """The lines of a coverage.py JSON report; None when there is none (not measured),
    nothing executed when it holds no files."""
    try:
        report = json.loads(data) if data else None
    except (json.JSONDecodeError, UnicodeDecodeError):
        return None
    if not isinstance(report, dict) or not isinstance(report.get("files"), dict):
        return {"executed": {}, "statements": {}}
    return coverage_lines(report, workdir)


def _without_skipped(pre: RunRecord, post: RunRecord) -> tuple[RunRecord, RunRecord]:
    """``pre`` and ``post`` without the tests skipped in both."""
    skipped = {test for test, status in pre.statuses.items()
               if status == "SKIPPED" and post.statuses.get(test) == "SKIPPED"}
    return tuple(RunRecord(statuses={t: s for t, s in run.statuses.items() if t not in skipped},
                           executed=run.executed, statements=run.statements, log=run.log,
                           timed_out=run.timed_out) for run in (pre, post))  # type: ignore[return-value]


def flaky_tests(runs: Sequence[RunRecord]) -> list[str]:
    """Tests whose status is not the same in every one of ``runs`` (absent counts)."""
    tests = sorted({test for run in runs for test in run.statuses})
    return [test for test in tests if len({run.statuses.get(test) for run in runs}) > 1]


class WrittenTests:
    """Grades the tests of a candidate's patch (see the module docstring)."""

    def __init__(self, mode: Mode) -> None:
        self.mode = mode

    def check(self, task: Task) -> None:
        try:
            pytest_invocation(task.test_command)
        except ValueError as exc:
            raise TaskFieldError("test_command", str(exc)) from exc
        if self.mode == "coverage_gap":
            gap = task.expectations(CoverageGap)
            if not gap.mutant.strip():
                raise TaskFieldError("expected.mutant", "must hold a patch that breaks the "
                                     "function")
        elif not task.patch.strip():
            raise TaskFieldError("patch", "must hold the gold fix the tests are run against")
        if self.mode == "tdd":
            HiddenTests().check(task)

    def grade(self, task: Task, submission: Submission, open_sandbox: SandboxFactory,
              timeout: float) -> Outcome:
        patch = submission.patch
        unresolved = Outcome(resolved=False, patch_applied=bool(patch.strip()),
                             candidate_patch=patch, failure_kind="model")
        if submission.problem or not patch.strip():
            return unresolved.model_copy(update={
                "failure": submission.problem or "no tests submitted"})
        reference = (task.expectations(CoverageGap).mutant if self.mode == "coverage_gap"
                     else task.patch)
        prepared, pre, facts = self._candidate_runs(task, open_sandbox, patch, [], reference,
                                                    timeout, assess=True)
        if prepared is None:
            return unresolved.model_copy(update={"patch_applied": False,
                                                 "failure": "the patch does not apply"})
        if not prepared.tests:
            return unresolved.model_copy(update={
                "failure": "the patch adds or changes no test file"})
        _, post, _ = self._candidate_runs(task, open_sandbox, patch, [reference], reference,
                                          timeout)
        base_files = facts.existing
        if any(run.timed_out for run in [*pre, *post]):
            return unresolved.model_copy(update={"failure_kind": "timeout",
                                                 "failure": "a test run timed out"})
        # coverage gap: the function's coverage by the whole suite the case left
        base_pre = self._base_run(task, open_sandbox,
                                  None if self.mode == "coverage_gap" else base_files, [],
                                  reference, timeout)
        flaky = flaky_tests(pre) + flaky_tests(post)
        scores: dict[str, float] = {"flaky": float(bool(flaky)), "redundant": facts.redundant}
        if self.mode == "coverage_gap":
            found, failure = self._coverage_verdict(task, base_pre, pre[0], post[0], scores)
        else:
            base_post = self._base_run(task, open_sandbox, base_files, [reference], reference,
                                       timeout)
            found, failure = self._swt_verdict(task, base_pre, base_post, pre[0], post[0],
                                               scores)
        if self.mode == "tdd":
            fix = HiddenTests().grade(task, submission, open_sandbox, timeout)
            scores["fix_resolved"] = float(fix.resolved)
            if found and not fix.resolved:
                found, failure = False, f"the fix does not resolve the case: {fix.failure or ''}"
        readers = text_readers([*pre, *post], reference)
        if readers:
            found, failure = False, ("test(s) of the candidate's read the code's text, not "
                                     f"its behaviour: {', '.join(readers[:3])}")
        elif found:
            noticed = self._notices_edits(task, open_sandbox, patch, reference, pre[0], timeout)
            if noticed:
                found, failure = False, noticed
        if flaky:
            found, failure = False, f"flaky tests (status changed over {RERUNS} runs): " \
                                    f"{', '.join(flaky[:3])}"
        screened = screen(patch, skipped=frozenset(prepared.put_back))
        if screened.tampering:
            found, failure = False, f"tampering: {'; '.join(screened.tampering[:3])}"
        statuses: dict[str, TestStatus] = {
            test: "passed" if status == "PASSED" else "failed"
            for test, status in sorted(post[0].statuses.items())}
        kind: FailureKind | None = None if found else (
            "tampering" if screened.tampering else "model")
        return Outcome(resolved=found, patch_applied=True, candidate_patch=patch,
                       failure_kind=kind, failure=failure, tampering=list(screened.tampering),
                       fail_to_pass=statuses, scores=scores, dropped=prepared.put_back,
                       flags=list(screened.flags), log_tail=post[0].log[-4000:])

    def case_problems(self, task: Task, at_base: Outcome,
                      open_sandbox: SandboxFactory) -> list[str]:
        return []

    # -- runs ------------------------------------------------------------------------------

    def _candidate_runs(self, task: Task, open_sandbox: SandboxFactory, patch: str,
                        extra: Sequence[str], measured: str, timeout: float,
                        assess: bool = False,
                        ) -> tuple[Prepared | None, list[RunRecord], BaseFacts]:
        """The candidate's tests run ``RERUNS`` times in one fresh sandbox (a process each),
        after ``extra`` patches; coverage is measured in the first run only. With
        ``assess``, also what the base state says of the candidate's tests (``BaseFacts``;
        empty otherwise)."""
        base_tests: dict[str, str] = {}
        written: dict[str, str] = {}
        with open_sandbox() as sandbox:
            if assess:
                base_tests = _test_sources(sandbox)
            prepared = prepare(sandbox, patch)
            if prepared is None or not prepared.tests:
                return prepared, [], BaseFacts([], 0.0)
            if assess:
                written = {path: sandbox.read_file(path).decode("utf-8", "replace")
                           for path in prepared.tests}
            for other in extra:
                if not apply_patch_text(sandbox, other):
                    raise BrokenTaskError(f"{task.instance_id}: the reference patch does not "
                                          "apply with the candidate's tests")
            runs = [measured_run(sandbox, task, prepared.tests, measured, timeout)]
            for _ in range(RERUNS - 1):  # the reruns only say whether a status changes
                again = run_under_channel(sandbox, task.test_command, prepared.tests, timeout)
                runs.append(_record(again, None))
        added = [fingerprint for path, text in written.items()
                 for fingerprint in new_assertions(base_tests.get(path, ""), text)]
        facts = BaseFacts([path for path in prepared.tests if path in base_tests],
                          redundant_share(added, base_tests.values()))
        return prepared, runs, facts

    def _notices_edits(self, task: Task, open_sandbox: SandboxFactory, patch: str,
                       reference: str, pre: RunRecord, timeout: float) -> str:
        """Why the candidate's tests look at the code's text rather than its behaviour
        ('' when they do not): they are run once more on the code they were judged on,
        with a comment line added to each file the reference patch changes. Tests that
        failed there (reproduction) must still fail; tests that passed (coverage gap)
        must still pass."""
        with open_sandbox() as sandbox:
            prepared = prepare(sandbox, patch)
            if prepared is None:
                return ""
            for path in touched_files(reference):
                if path.endswith(".py") and sandbox_has(sandbox, path):
                    text = sandbox.read_file(path)
                    sandbox.write_file(path, text + b"\n# an unrelated edit\n")
            run = run_under_channel(sandbox, task.test_command, prepared.tests, timeout)
        noised = _record(run, None)
        changed = sorted(test for test, status in pre.statuses.items()
                         if noised.statuses.get(test) != status)
        if not changed:
            return ""
        return (f"test(s) of the candidate's change result when a comment is added to the "
                f"code (they read its text, not its behaviour): {', '.join(changed[:3])}")

    def _base_run(self, task: Task, open_sandbox: SandboxFactory, files: Sequence[str] | None,
                  extra: Sequence[str], measured: str, timeout: float) -> RunRecord:
        with open_sandbox() as sandbox:
            for other in extra:
                apply_patch_text(sandbox, other)
            return measured_run(sandbox, task, files, measured, timeout)

    # -- verdicts --------------------------------------------------------------------------

    def _swt_verdict(self, task: Task, base_pre: RunRecord, base_post: RunRecord,
                     pre: RunRecord, post: RunRecord,
                     scores: dict[str, float]) -> tuple[bool, str]:
        from harness.grading.swt import coverage_measures

        # a test skipped both without and with the fix (a platform's skip) says nothing
        pre, post = _without_skipped(pre, post)
        base_pre, base_post = _without_skipped(base_pre, base_post)
        found = verdict(transitions(base_pre, base_post), transitions(pre, post))
        # a test skipped (or absent) before the fix does not reproduce anything: only one
        # that fails there counts; one skipped with the fix is a failure (transitions)
        reproduced = [test for test in found.added_fail_to_pass
                      if pre.statuses.get(test) == "FAILED"]
        scores["applicable"] = float(bool(pre.statuses or post.statuses))
        scores["fail_to_x"] = float(found.fail_to_x)
        coverage = coverage_measures(task.patch, base_pre, base_post, pre, post)
        if coverage is not None:
            scores["coverage_delta"] = float(coverage["coverage_delta"])
        if found.resolved and reproduced:
            return True, ""
        if found.added_failures:
            return False, (f"test(s) of the candidate's fail with the gold fix: "
                           f"{', '.join(found.added_failures[:3])}")
        return False, "no test of the candidate's fails on the original code and passes " \
                      "with the gold fix"

    def _coverage_verdict(self, task: Task, base: RunRecord, clean: RunRecord,
                          mutated: RunRecord, scores: dict[str, float]) -> tuple[bool, str]:
        gap = task.expectations(CoverageGap)
        first, last = gap.lines
        statements = {n for n in (clean.statements or {}).get(gap.path, set())
                      if first <= n <= last}
        ran = {n for n in (clean.executed or {}).get(gap.path, set()) if n in statements}
        before = {n for n in (base.executed or {}).get(gap.path, set()) if n in statements}
        gained = ran - before
        scores["coverage_delta"] = len(gained) / len(statements) if statements else 0.0
        caught = any(status == "FAILED" for status in mutated.statuses.values())
        scores["mutant_caught"] = float(caught)
        failing = sorted(test for test, status in clean.statuses.items() if status == "FAILED")
        if "PASSED" not in clean.statuses.values():
            return False, "none of the candidate's tests ran and passed"
        if failing:
            return False, f"test(s) of the candidate's fail on correct code: {failing[:3]}"
        if not gained:
            return False, f"the tests execute no line of {gap.function} the base tests did not"
        if not caught:
            return False, f"the tests pass with a bug put in {gap.function}"
        return True, ""
