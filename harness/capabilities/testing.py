"""Testing: the model writes tests, judged as SWT-Bench judges them, on real projects.

Cases (``suites/testing``) come from bugs injected into PyPI projects, whose failing tests
are hidden. Three kinds, one grader each (``harness.grading.written_tests``):

- ``reproduction``: a bug report; write a test that fails on the code as it is and passes
  once the bug is fixed (the gold fix), without fixing it;
- ``tdd``: the same report; write the failing test first, then the fix; both are graded;
- ``coverage_gap``: a function the test-suite does not exercise, in correct code; write
  tests that pass, execute it and catch a bug put in it (``list_untested_functions``
  shows what the suite leaves untested).

SWT-Bench rows run here too, in their instance images (``--sandbox docker``): a
SWE-bench or SWT-Bench file or dataset name as ``--bank`` (``?exclude=FILTER`` drops the
rows SWT-Bench filters out) gives reproduction cases graded by 'swt'
(``harness.grading.swt``, as ``suites/swt_bench`` grades them), with the row's own test
runner as ``run_tests``.

Scores are the grader's (``applicable``, ``fail_to_x``, ``coverage_delta``, ``flaky``,
``redundant``, ``fix_resolved``, ``mutant_caught``) and the episode's: ``tested_first``
(TDD: a test file was changed before the first code change) and ``ran_own_tests`` (the
tests were run after they were last changed, before the final answer).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from harness import rewards
from harness.bank import Bank, is_harness_bank, load_bank
from harness.capabilities.navigation import survey_turn, tool_call
from harness.capabilities.swt_bench import read_swt_rows, swt_tools
from harness.grading.patches import is_test_path, touched_files
from harness.grading.swt import SwtTests
from harness.grading.written_tests import CoverageGap, WrittenTests
from harness.policies.scripted import ScriptedPolicy
from harness.protocols import Capability, Tool
from harness.results import Outcome
from harness.sft import conversation_example
from harness.task import Task
from harness.tools import default_tools
from harness.trajectory import AssistantTurn, Trajectory

SYSTEM_PROMPT = (
    "You are a software engineering agent working in a git repository, and your job is "
    "writing tests. Use the tools to explore the code, write tests with apply_patch in the "
    "project's test files (its own test style and layout), and run them with run_tests. "
    "When you are done, reply with a final answer that names the tests you wrote."
)
_JOBS = {
    "reproduction": (
        "Write a test that reproduces the following issue: it must fail on the code as it "
        "is now and pass once the issue is fixed. Do not fix the code; change test files "
        "only."),
    "tdd": (
        "Work test-first on the following issue: write a test that reproduces it (it must "
        "fail on the code as it is now), then fix the code so that it passes, together "
        "with the rest of the test-suite."),
    "coverage_gap": (
        "The project's test-suite does not exercise the function named below. Write tests "
        "for it that pass on the code as it is and would catch a bug in it. Do not change "
        "the code; change test files only."),
}
_JOBS["swt"] = _JOBS["reproduction"]  # a SWT-Bench row: reproduce its issue


class WrittenTestExpectations(BaseModel):
    """What a testing case is about: the bug's files and symbols, or the function to cover."""

    model_config = ConfigDict(extra="forbid")

    files: list[str] = Field(default_factory=list, description="files the bug is in")
    symbols: list[str] = Field(default_factory=list, description="dotted names of the bug")
    function: str = Field(default="", description="coverage gap: the function to cover")
    path: str = Field(default="", description="coverage gap: its file")
    lines: list[int] = Field(default_factory=list, description="coverage gap: its lines")
    mutant: str = Field(default="", description="coverage gap: a bug the tests must catch")


def task_prompt(task: Task) -> str:
    """The user message: the job of the case's kind, and the issue or the function."""
    return (f"Repository: {task.repo}\n\n{_JOBS[task.grader]} The repository is checked out "
            f"at its base state in your working directory.\n\n{task.problem_statement}")


def read_testing_bank(source: str) -> Bank:
    """The harness's JSONL banks as they are; SWE-bench-shaped rows (a file, a dataset
    name, ``?exclude=FILTER``) as SWT-Bench reproduction cases graded by 'swt'."""
    if is_harness_bank(source):
        return load_bank(Path(source))
    return read_swt_rows(source, capability="testing")


def testing_tools(task: Task) -> Mapping[str, Tool]:
    """The navigation tools; for a SWT-Bench row, ``run_tests`` runs the row's own runner."""
    return swt_tools(task) if task.grader == "swt" else default_tools(task)


def written_test_scores(task: Task, trajectory: Trajectory, outcome: Outcome) -> dict[str, float]:
    """The grader's scores, and ``tested_first`` (TDD) and ``ran_own_tests``."""
    scores = dict(outcome.scores)
    edits = [(step.turn, path) for step in trajectory.steps
             if step.tool == "apply_patch" and step.error is None
             for path in touched_files(str(step.arguments.get("patch", "")))]
    test_edits = [turn for turn, path in edits if is_test_path(path)]
    code_edits = [turn for turn, path in edits if not is_test_path(path)]
    if task.grader == "tdd":
        scores["tested_first"] = float(bool(test_edits) and (
            not code_edits or min(test_edits) < min(code_edits)))
    runs = [step.turn for step in trajectory.steps
            if step.tool in ("run_tests", "run_tests_with_coverage") and step.error is None]
    scores["ran_own_tests"] = float(bool(test_edits) and any(
        turn > max(test_edits) for turn in runs))
    return scores


def not_flaky(task: Task, trajectory: Trajectory, outcome: Outcome) -> float:
    """Reward: 1 for a resolved submission none of whose tests is flaky."""
    return float(outcome.resolved and not outcome.scores.get("flaky", 0.0))


def coverage_gain(task: Task, trajectory: Trajectory, outcome: Outcome) -> float:
    """Reward: the share of the target lines the tests newly execute."""
    return outcome.scores.get("coverage_delta", 0.0)


def written_test_oracle(task: Task) -> ScriptedPolicy:
    """Look where the case points, write the hidden tests, run them (TDD: then apply the
    gold fix and run them again), finish."""
    tests = [path for path in touched_files(task.test_patch) if path.endswith(".py")]
    turns = [survey_turn()]
    if task.grader == "coverage_gap":
        gap = task.expectations(CoverageGap)
        turns += [tool_call("list_untested_functions"), tool_call("read_file", path=gap.path)]
    else:
        turns += [tool_call("read_file", path=path) for path in touched_files(task.patch)]
    turns += [tool_call("apply_patch", patch=task.test_patch),
              tool_call("run_tests", paths=tests)]
    if task.grader == "tdd":
        turns += [tool_call("apply_patch", patch=task.patch), tool_call("run_tests")]
    turns.append(AssistantTurn(final=f"Wrote tests in {', '.join(tests)}."))
    return ScriptedPolicy("oracle", turns)


TESTING = Capability(
    name="testing",
    description="write tests: reproduce a bug (fail before its fix, pass after), test-first "
                "fixes, and tests for an untested function",
    banks=("pypi.jsonl",),
    graders={**{mode: WrittenTests(mode) for mode in ("reproduction", "tdd", "coverage_gap")},
             "swt": SwtTests()},
    tools=testing_tools,
    system_prompt=SYSTEM_PROMPT,
    task_prompt=task_prompt,
    scorer=written_test_scores,
    rewards={"resolved": rewards.resolved, "coverage_gain": coverage_gain,
             "not_flaky": not_flaky, "format": rewards.format_compliance},
    formatter=conversation_example,
    oracle=written_test_oracle,
    expectations=WrittenTestExpectations,
    gate_pass_rate=0.3,
    read_bank=read_testing_bank,
)
