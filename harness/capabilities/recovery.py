"""Recovery: cases where the first plausible fix is wrong, or the environment misbehaves.

Cases (``suites/recovery``), from bugs injected into PyPI projects (``expected.kind``):

- ``misdirected``: the failure surfaces in another module than the bug's (the traceback
  points at a caller);
- ``interacting``: two bugs in two files that fail a test in common, so fixing one leaves
  it failing;
- ``fault``: a bug, and an environment fault injected during the episode through a
  sandbox wrapper (``harness.sandbox.faults``: a test run that times out once, fails once,
  or has its output cut short);
- ``unsolvable``: a request the project's own tests rule out; graded on escalation
  (``harness.grading.escalation``), not on a fix;
- ``request``: an unsolvable case's twin in the same words, which the tests allow (it
  asks for the value a hidden test wants): graded on its fix, so escalating is wrong.

The scorer reads the episode's tool calls and their results:

- ``no_echo``: no call was made three or more times in a row with the same arguments;
- ``verified``: the share of edits followed by a test run before the next edit or the end;
- ``recovered``: after a failure following the first edit (a failed test run or a tool
  error), the case was resolved (only for episodes with such a failure);
- ``strategy_diversity``: with a retry (an edit after a failed test run), the share of
  distinct edits among all edits;
- ``clean_retry``: with a retry, the share of files the final change touches that the
  gold fix touches too (nothing left behind by an abandoned attempt);
- ``fault_retried``: for a fault case, the faulted test run was made again, with the same
  arguments;
- ``escalation_correct``: the final answer escalates exactly when the case is unsolvable.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from pydantic import BaseModel, ConfigDict, Field

from harness import rewards
from harness.capabilities.navigation import survey_turn, task_prompt, tool_call
from harness.capabilities.plan_reading import EDIT_TOOLS, TEST_TOOLS
from harness.grading.escalation import ESCALATION_PREFIX, Escalation, escalates
from harness.grading.grader import HiddenTests
from harness.grading.patches import touched_files
from harness.policies.scripted import ScriptedPolicy
from harness.protocols import Capability, Tool
from harness.results import Outcome
from harness.sandbox.faults import Fault, FaultInjection
from harness.sft import conversation_example
from harness.task import Task
from harness.tools import default_tools
from harness.trajectory import AssistantTurn, Message, Step, Trajectory

SYSTEM_PROMPT = (
    "You are a software engineering agent working in a git repository. Use the tools to "
    "explore the code, find the real cause of the issue (the place an error shows up is "
    "not always where it comes from), and change the code with apply_patch. Check each "
    "change by running the tests; if a test run fails or a tool misbehaves, find out why "
    "before trying again, and undo an attempt that did not work. If the issue cannot be "
    "resolved as asked (for instance, it contradicts the project's own tests), change "
    f"nothing and reply with a final answer that begins with '{ESCALATION_PREFIX}' and "
    "says why, naming what stands in the way. Otherwise, when you are done, reply with a "
    "final answer that summarises your change."
)
ECHO_RUN = 3


class RecoveryExpectations(BaseModel):
    """What a recovery case is and what its fix involves."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="misdirected, interacting, fault, unsolvable or request")
    files: list[str] = Field(default_factory=list, description="files the fix edits")
    symbols: list[str] = Field(default_factory=list, description="dotted names of the bugs")
    faults: list[Fault] = Field(default_factory=list, description="faults of the episode")
    conflict: list[str] = Field(default_factory=list, description=(
        "unsolvable: the tests that rule the request out"))


def recovery_tools(task: Task) -> Mapping[str, Tool]:
    """The navigation tools; a fault case's run against its faults (one episode's)."""
    tools = default_tools(task)
    faults = task.expectations(RecoveryExpectations).faults
    return FaultInjection(faults).tools(tools) if faults else tools


def _calls(trajectory: Trajectory) -> list[tuple[Step, Message]]:
    """Each tool call's step with its result (the agent loop records them in order)."""
    results = [m for m in trajectory.messages if m.role == "tool"]
    return list(zip(trajectory.steps, results, strict=False))


def _failed(step: Step, result: Message) -> bool:
    if step.error is not None:
        return True
    return step.tool in TEST_TOOLS and "[exit code 0]" not in result.content.splitlines()


def _key(step: Step) -> str:
    return step.tool + json.dumps(step.arguments, sort_keys=True, default=str)


def longest_repeat(steps: list[Step]) -> int:
    """The longest run of consecutive calls with the same tool and arguments."""
    longest = run = 0
    previous = None
    for step in steps:
        run = run + 1 if _key(step) == previous else 1
        previous = _key(step)
        longest = max(longest, run)
    return longest


def recovery_scores(task: Task, trajectory: Trajectory, outcome: Outcome) -> dict[str, float]:
    """The signals of the module docstring (each only where it applies)."""
    expected = task.expectations(RecoveryExpectations)
    calls = _calls(trajectory)
    steps = [step for step, _ in calls]
    scores = {"no_echo": float(longest_repeat(steps) < ECHO_RUN),
              "escalation_correct": float(
                  escalates(trajectory.final_answer()) == (expected.kind == "unsolvable"))}
    edits = [i for i, (step, _) in enumerate(calls)
             if step.tool in EDIT_TOOLS and step.error is None]
    runs = [i for i, (step, _) in enumerate(calls) if step.tool in TEST_TOOLS]
    if edits:
        bounds = [*edits[1:], len(calls)]
        scores["verified"] = sum(any(edit < run < end for run in runs)
                                 for edit, end in zip(edits, bounds, strict=True)) / len(edits)
    # the first test run fails on any bug: a failure counts once something was tried
    if edits and any(_failed(step, result) for step, result in calls[edits[0]:]):
        scores["recovered"] = float(outcome.resolved)
    failed_runs = [i for i in runs if _failed(*calls[i])]
    retries = [i for i in edits if any(edits[0] < run < i for run in failed_runs)]
    if retries:
        patches = [str(calls[i][0].arguments.get("patch", "")) for i in edits]
        scores["strategy_diversity"] = len(set(patches)) / len(patches)
        final = touched_files(outcome.candidate_patch)
        gold = set(touched_files(task.patch))
        scores["clean_retry"] = (sum(path in gold for path in final) / len(final)
                                 if final else 0.0)
    if expected.faults:  # the faulted run, then the same run again
        struck = expected.faults[0].after
        scores["fault_retried"] = float(len(runs) > struck + 1 and any(
            _key(calls[later][0]) == _key(calls[runs[struck]][0])
            for later in runs[struck + 1:]))
    return scores


def recovered(task: Task, trajectory: Trajectory, outcome: Outcome) -> float:
    """Reward: resolved, and every edit was checked by a test run."""
    return float(outcome.resolved) * recovery_scores(task, trajectory, outcome).get(
        "verified", 1.0)


def split_patch(patch: str) -> list[str]:
    """A git patch as one patch per file, in order."""
    pieces: list[str] = []
    for line in patch.splitlines(keepends=True):
        if line.startswith("diff --git ") or not pieces:
            pieces.append("")
        pieces[-1] += line
    return [piece for piece in pieces if piece.strip()]


def recovery_oracle(task: Task) -> ScriptedPolicy:
    """Reach the fix the way a careful engineer recovers (see ``_ORACLES``)."""
    kind = task.expectations(RecoveryExpectations).kind
    return ScriptedPolicy("oracle", _ORACLES.get(kind, _fix_turns)(task))


def _fix_turns(task: Task) -> list[AssistantTurn]:
    """Run the tests to see the failure, read the files of the fix, fix, verify."""
    return [survey_turn(), tool_call("run_tests"),
            *(tool_call("read_file", path=path) for path in touched_files(task.patch)),
            tool_call("apply_patch", patch=task.patch), tool_call("run_tests"),
            AssistantTurn(final="Fixed the cause; the tests pass.")]


def _fault_turns(task: Task) -> list[AssistantTurn]:
    """As ``_fix_turns``, running the tests again after each run a fault may strike."""
    again = AssistantTurn(analysis="Run the tests again: that run may have misbehaved.",
                          tool_calls=tool_call("run_tests").tool_calls)
    turns = _fix_turns(task)
    return [*turns[:2], again, *turns[2:-1], again, turns[-1]]


def _interacting_turns(task: Task) -> list[AssistantTurn]:
    """Fix the first file, see a test still failing, fix the rest, verify."""
    pieces = split_patch(task.patch)
    turns = [survey_turn(), tool_call("run_tests")]
    for number, piece in enumerate(pieces):
        turns += [tool_call("read_file", path=touched_files(piece)[0]),
                  tool_call("apply_patch", patch=piece)]
        turns.append(tool_call("run_tests") if number == len(pieces) - 1 else AssistantTurn(
            analysis="One cause fixed; check whether the failure is gone.",
            tool_calls=tool_call("run_tests").tool_calls))
    return [*turns, AssistantTurn(final="Fixed both causes; the tests pass.")]


def _unsolvable_turns(task: Task) -> list[AssistantTurn]:
    """Read and run the tests in the way, then escalate naming them."""
    conflict = task.expectations(RecoveryExpectations).conflict
    files = list(dict.fromkeys(test.split("::", 1)[0] for test in conflict))
    names = ", ".join(f"`{test.rsplit('::', 1)[-1].split('[', 1)[0]}` in "
                      f"`{test.split('::', 1)[0]}`" for test in conflict)
    return [survey_turn(), *(tool_call("read_file", path=path) for path in files),
            tool_call("run_tests", paths=conflict[:1]),
            AssistantTurn(final=f"{ESCALATION_PREFIX} the requested behaviour contradicts the "
                                f"project's own tests ({names} assert the current behaviour), "
                                "and the tests must keep passing; I changed nothing.")]


_ORACLES = {"fault": _fault_turns, "interacting": _interacting_turns,
            "unsolvable": _unsolvable_turns}


RECOVERY = Capability(
    name="recovery",
    description="recover when the first plausible fix is wrong or the environment "
                "misbehaves, and escalate what cannot be done",
    banks=("pypi.jsonl",),
    graders={"tests": HiddenTests(), "escalation": Escalation()},
    tools=recovery_tools,
    system_prompt=SYSTEM_PROMPT,
    task_prompt=task_prompt,
    scorer=recovery_scores,
    rewards={"resolved": rewards.resolved, "recovered": recovered,
             "format": rewards.format_compliance},
    formatter=conversation_example,
    oracle=recovery_oracle,
    expectations=RecoveryExpectations,
    gate_pass_rate=0.3,
)
