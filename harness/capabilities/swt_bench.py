"""SWT-Bench as a capability: the model reads an issue and writes tests that reproduce it.

Rows are SWE-bench rows (a file or a dataset name) run in their instance images
(``--sandbox docker``). The model must not fix the issue: its submission is a test patch,
graded by the 'swt' grader (``harness.grading.swt``) against the row's gold code patch.
SWT-Bench drops the rows whose gold patches were unstable in its harness; name its filter
file after the source to drop them too::

    --bank 'SWE-bench_Verified.test.parquet?exclude=filter_cases_verified.txt'

(SWT-Bench Verified: 433 of 500 rows). Without ``?exclude=`` every row of the source runs.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

from harness import rewards
from harness.bank import Bank, check_capability
from harness.capabilities.navigation import survey_turn, tool_call
from harness.capabilities.swe_bench import environment_run_tests
from harness.errors import ConfigError
from harness.grading.official import eval_test_command
from harness.grading.patches import touched_files
from harness.grading.swt import SwtTests, runner_command
from harness.policies.scripted import ScriptedPolicy
from harness.protocols import Capability, Tool
from harness.results import Outcome
from harness.sft import conversation_example
from harness.task import Task
from harness.tools import default_tools
from harness.tools._base import FunctionTool
from harness.trajectory import AssistantTurn, Trajectory

ACTIVATE = "source /opt/miniconda3/bin/activate && conda activate testbed"
SYSTEM_PROMPT = (
    "You are a software engineering agent working in a git repository. Use the tools to "
    "explore the code and understand the issue, then write tests with apply_patch that "
    "reproduce it: they must fail on the current code and pass once the issue is fixed. "
    "Do not fix the issue. When you are done, reply with a final answer that names the "
    "tests you wrote."
)


def task_prompt(task: Task) -> str:
    """The user message: the issue, and the job of reproducing it in tests."""
    return (f"Repository: {task.repo}\n\nWrite tests that reproduce the following issue. The "
            f"repository is checked out at its base state in your working directory; add or "
            f"change test files only.\n\n{task.problem_statement}")


def swt_run_tests(task: Task) -> FunctionTool:
    """``run_tests``: the row's test runner on the test files named (the gold tests' files
    are not named to the model)."""
    gold_tests = touched_files(task.test_patch)
    return environment_run_tests(
        lambda chosen: runner_command(eval_test_command(task), gold_tests, chosen),
        "Run the repository's test runner on test files (as the evaluation runs your tests).",
        "test files to run (Python files, relative paths)")


def swt_tools(task: Task) -> Mapping[str, Tool]:
    """The navigation tools, with ``run_tests`` running the row's test runner."""
    tools = dict(default_tools(task))
    tools["run_tests"] = swt_run_tests(task)
    return tools


def test_oracle(task: Task) -> ScriptedPolicy:
    """Read the files the gold fix edits, write the gold tests, run them, finish."""
    tests = [p for p in touched_files(task.test_patch) if p.endswith(".py")]
    turns = [survey_turn(), *(tool_call("read_file", path=p) for p in touched_files(task.patch)),
             tool_call("apply_patch", patch=task.test_patch), tool_call("run_tests", paths=tests),
             AssistantTurn(final=f"Wrote tests that reproduce the issue in {', '.join(tests)}.")]
    return ScriptedPolicy("oracle", turns)


def swt_scores(task: Task, trajectory: Trajectory, outcome: Outcome) -> dict[str, float]:
    """The grader's applicability, F→X and coverage gain."""
    return dict(outcome.scores)


def coverage_gain(task: Task, trajectory: Trajectory, outcome: Outcome) -> float:
    """The share of the gold patch's executable lines the tests newly cover (0 unmeasured)."""
    return outcome.scores.get("coverage_delta", 0.0)


def split_source(source: str) -> tuple[str, Path | None]:
    """``SOURCE?exclude=FILE`` -> (SOURCE, FILE); a FILE relative to the working directory."""
    rows, _, query = source.partition("?")
    if not query:
        return rows, None
    key, _, value = query.partition("=")
    if key != "exclude" or not value:
        raise ConfigError(f"bank {source!r}: after '?' expected exclude=FILTER_FILE (a "
                          "SWT-Bench filter_cases_*.txt)")
    return rows, Path(value)


def read_swt_rows(source: str, capability: str = "swt-bench") -> Bank:
    """A bank source (a file or ``hf:NAME``, optionally ``?exclude=FILTER``) as SWT cases of
    ``capability`` (this one, or testing's, which runs them too)."""
    from harness.datasets import load_swtbench, swt_bench

    rows, exclude = split_source(source)
    loaded = (swt_bench(rows, exclude, capability=capability) if exclude else
              load_swtbench(rows, capability=capability))
    tasks = [task.model_copy(update={"grader": "swt"}) for task in loaded.tasks]
    for number, task in enumerate(tasks, start=1):
        check_capability(task, loaded.origin, number)
    digest = hashlib.sha256("".join(t.model_dump_json() for t in tasks).encode())
    return Bank(path=Path(source), sha256=digest.hexdigest(), tasks=tasks)


SWT_BENCH = Capability(
    name="swt-bench",
    description="SWT-Bench: write tests that reproduce a GitHub issue (fail before its fix, "
                "pass after), graded against the gold fix",
    banks=("hf:princeton-nlp/SWE-bench_Verified",), graders={"swt": SwtTests()},
    tools=swt_tools, system_prompt=SYSTEM_PROMPT, task_prompt=task_prompt, scorer=swt_scores,
    rewards={"resolved": rewards.resolved, "coverage_gain": coverage_gain,
             "format": rewards.format_compliance},
    formatter=conversation_example, oracle=test_oracle, gate_pass_rate=0.2,
    read_bank=read_swt_rows, sandboxes=("docker",))
