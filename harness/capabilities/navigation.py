"""Navigation: find the right file and symbol in an unfamiliar repository, then fix the bug
there, or answer where something is.

Bug cases are graded by their hidden tests ('tests'); localisation questions by the
exact set of locations the final answer names ('answer'). The scorer measures how
much of what the fix touches the solver found on the way.
"""

from __future__ import annotations

import posixpath

from pydantic import BaseModel, ConfigDict, Field

from harness import rewards
from harness.grading.answer import ExactAnswer
from harness.grading.grader import HiddenTests
from harness.grading.patches import touched_files
from harness.policies.scripted import ScriptedPolicy
from harness.protocols import Capability
from harness.results import Outcome
from harness.sft import conversation_example
from harness.task import Task
from harness.tools import default_tools
from harness.trajectory import AssistantTurn, ToolCall, Trajectory

SYSTEM_PROMPT = (
    "You are a software engineering agent working in a git repository. Use the tools to "
    "explore the code, find the cause of the issue, and change the code with apply_patch. "
    "When you are done, reply with a final answer that summarises your change."
)


class NavigationExpectations(BaseModel):
    """What a solver of a navigation case has to find."""

    model_config = ConfigDict(extra="forbid")

    files: list[str] = Field(default_factory=list, description="files the fix edits")
    symbols: list[str] = Field(default_factory=list, description="dotted names the fix edits")


def task_prompt(task: Task) -> str:
    """The user message: the issue, and nothing a solver should not see."""
    return (f"Repository: {task.repo}\n\nResolve the following issue. The repository is checked "
            f"out at its base state in your working directory.\n\n{task.problem_statement}")


def _normal(path: object) -> str:
    return posixpath.normpath(str(path)).lstrip("./") if path else ""


def navigation_scores(task: Task, trajectory: Trajectory, outcome: Outcome) -> dict[str, float]:
    """Share of expected files read or edited, files edited (for cases with a fix to make),
    and symbols located."""
    expected = task.expectations(NavigationExpectations)
    expected_files = set(expected.files)
    ok_steps = [step for step in trajectory.steps if step.error is None]
    read = {_normal(s.arguments.get("path")) for s in ok_steps if s.tool == "read_file"}
    edited = set(touched_files(outcome.candidate_patch))
    looked_up = [str(s.arguments.get("name", "")) for s in ok_steps if s.tool == "find_symbol"]
    scores: dict[str, float] = {}
    if expected_files:
        scores["files_found"] = len(expected_files & (read | edited)) / len(expected_files)
        if task.patch:
            scores["files_edited"] = len(expected_files & edited) / len(expected_files)
    if expected.symbols:
        located = [symbol for symbol in expected.symbols
                   if any(name and (symbol == name or symbol.endswith("." + name))
                          for name in looked_up)]
        scores["symbols_located"] = len(located) / len(expected.symbols)
    return scores


def files_found(task: Task, trajectory: Trajectory, outcome: Outcome) -> float:
    """Reward: the share of the files the fix needs that the solver read or edited."""
    return navigation_scores(task, trajectory, outcome).get("files_found", 0.0)


def tool_call(tool: str, **arguments: object) -> AssistantTurn:
    return AssistantTurn(tool_calls=[ToolCall(name=tool, arguments=dict(arguments),
                                              call_id=f"call_{tool}")])


def survey_turn() -> AssistantTurn:
    return AssistantTurn(analysis="Survey the repository layout first.",
                         tool_calls=[ToolCall(name="repo_tree", arguments={"max_depth": 3},
                                              call_id="call_tree")])


def fix_oracle(task: Task) -> ScriptedPolicy:
    """Navigate to each file the gold patch edits, apply it, run the tests, finish."""
    code_files = touched_files(task.patch)
    turns = [survey_turn()]
    for symbol in task.expectations(NavigationExpectations).symbols:
        turns.append(tool_call("find_symbol", name=symbol.rsplit(".", 1)[-1]))
    for path in code_files:
        turns.append(tool_call("read_file", path=path))
    turns.append(tool_call("apply_patch", patch=task.patch))
    turns.append(tool_call("run_tests"))
    turns.append(AssistantTurn(final=f"Fixed the issue by editing {', '.join(code_files)}."))
    return ScriptedPolicy("oracle", turns)


def answer_oracle(task: Task) -> ScriptedPolicy:
    """Find each expected location with the tools, read its file, answer with all of them."""
    turns = [survey_turn()]
    locations = [text.partition("::") for text in task.expected_answer]
    for name in dict.fromkeys(qualname.rsplit(".", 1)[-1] for _, _, qualname in locations):
        turns.append(tool_call("find_symbol", name=name))
    for path in dict.fromkeys(path for path, _, _ in locations):
        turns.append(tool_call("read_file", path=path))
    turns.append(AssistantTurn(final="\n".join(task.expected_answer)))
    return ScriptedPolicy("oracle", turns)


ORACLES = {"tests": fix_oracle, "answer": answer_oracle}


def navigation_oracle(task: Task) -> ScriptedPolicy:
    """The oracle for what the case's grader wants: a fix, or an answer."""
    return ORACLES[task.grader](task)


NAVIGATION = Capability(
    name="navigation",
    description="find the file and symbol behind an issue in an unfamiliar repository, then "
                "fix it (or answer where something is)",
    banks=("bank.jsonl", "pypi.jsonl"),
    graders={"tests": HiddenTests(), "answer": ExactAnswer()},
    tools=default_tools,
    system_prompt=SYSTEM_PROMPT,
    task_prompt=task_prompt,
    scorer=navigation_scores,
    rewards={"resolved": rewards.resolved, "fail_to_pass": rewards.fail_to_pass_share,
             "files_found": files_found, "format": rewards.format_compliance},
    formatter=conversation_example,
    oracle=navigation_oracle,
    expectations=NavigationExpectations,
    gate_pass_rate=0.5,
)
