"""Planning: multi-file changes whose order matters, solved by a plan that is followed.

Cases (``suites/planning``) are bugs whose fix spans modules: two or three injected bugs
in as many files, a function whose parameter was dropped along with its callers'
arguments, and a documented public function removed with its exports. They are graded
by their hidden tests ('tests'). The scorer reads the episode as a sequence of plans and
actions (``harness.capabilities.plan_reading``) and measures:

- ``plan_before_edit``: a numbered plan was written before the first edit;
- ``plan_followed``: the share of the first plan's steps that later actions carried out,
  each action counting for one step at most (0 for a plan that names no file or symbol
  of the fix);
- ``in_scope``: the share of the edited files a plan written before their first edit
  named;
- ``replanned``: after the second failed test run that followed an edit, a new plan was
  written (only for episodes with two such failures);
- ``efficiency``: the oracle's number of turns over the episode's (at most 1).

Plan scores count only when the case is resolved (P-GRPO's gating): an unresolved
episode scores 0 on each, however well it planned.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from harness import rewards
from harness.capabilities.navigation import survey_turn, task_prompt, tool_call
from harness.capabilities.plan_reading import (
    EDIT_TOOLS,
    Action,
    Event,
    Plan,
    episode_events,
    names,
    step_matched,
)
from harness.grading.grader import HiddenTests
from harness.grading.patches import touched_files
from harness.policies.scripted import ScriptedPolicy
from harness.protocols import Capability
from harness.results import Outcome
from harness.sft import conversation_example
from harness.task import Task
from harness.tools import default_tools
from harness.trajectory import AssistantTurn, Trajectory

SYSTEM_PROMPT = (
    "You are a software engineering agent working in a git repository. The issue you are "
    "given needs changes in more than one place. Explore the code first; before your first "
    "edit, write a numbered plan (1., 2., ...) naming the files and functions each step "
    "changes or checks. Carry the plan out with the tools, change the code with "
    "apply_patch, and run the tests. If the tests fail twice, stop and write a revised "
    "numbered plan before going on. When you are done, reply with a final answer that "
    "summarises your change."
)


class PlanningExpectations(BaseModel):
    """What a planning case's fix involves."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(default="", description="combined, dropped_parameter, removed_feature")
    files: list[str] = Field(default_factory=list, description="files the fix edits")
    symbols: list[str] = Field(default_factory=list, description="dotted names the fix edits")


PLAN_SCORES = ("plan_before_edit", "plan_followed", "in_scope", "efficiency")


def planning_scores(task: Task, trajectory: Trajectory, outcome: Outcome) -> dict[str, float]:
    """The plan signals of the module docstring, each 0 unless the case is resolved."""
    events = episode_events(trajectory)
    edits = [i for i, e in enumerate(events) if isinstance(e, Action) and e.tool in EDIT_TOOLS]
    first_plan = next((i for i, e in enumerate(events) if isinstance(e, Plan)), None)
    scores = {"plan_before_edit": float(first_plan is not None and (
        not edits or first_plan < edits[0]))}
    scores["plan_followed"] = 0.0
    if first_plan is not None:
        plan = events[first_plan]
        later = [e for e in events[first_plan + 1:] if isinstance(e, Action)]
        assert isinstance(plan, Plan)
        expected = task.expectations(PlanningExpectations)
        about_the_fix = any(names(step, thing) for step in plan.steps
                            for thing in [*expected.files, *expected.symbols])
        if about_the_fix:
            scores["plan_followed"] = carried_out(plan.steps, later) / len(plan.steps)
    edited = touched_files(outcome.candidate_patch)
    scores["in_scope"] = (sum(_planned_before_edit(events, path) for path in edited)
                          / len(edited)) if edited else 0.0
    failures = [i for i, e in enumerate(events) if isinstance(e, Action) and e.failed_test
                and edits and i > edits[0]]
    if len(failures) >= 2:
        scores["replanned"] = float(any(isinstance(e, Plan) for e in events[failures[1] + 1:]))
    reference = planning_oracle(task).length
    scores["efficiency"] = min(1.0, reference / trajectory.turns) if trajectory.turns else 0.0
    if not outcome.resolved:
        scores = dict.fromkeys(scores, 0.0)
    return scores


def carried_out(steps: tuple[str, ...], actions: list[Action]) -> int:
    """How many ``steps`` distinct ``actions`` carried out (each action counts for one
    step at most: one test run does not carry out three steps about testing)."""
    left = list(actions)
    done = 0
    for step in steps:
        match = next((action for action in left if step_matched(step, [action])), None)
        if match is not None:
            left.remove(match)
            done += 1
    return done


def _planned_before_edit(events: list[Event], path: str) -> bool:
    """Whether a plan written before ``path`` was first edited names it (a plan written
    afterwards, or a summary in the final answer, does not put it in scope)."""
    first = next((i for i, e in enumerate(events) if isinstance(e, Action)
                  and e.tool in EDIT_TOOLS and path in e.subjects), len(events))
    return any(names(step, path) for event in events[:first] if isinstance(event, Plan)
               for step in event.steps)


def plan_followed(task: Task, trajectory: Trajectory, outcome: Outcome) -> float:
    """Reward: the share of the plan carried out, 0 unless resolved."""
    return planning_scores(task, trajectory, outcome)["plan_followed"]


def planning_oracle(task: Task) -> ScriptedPolicy:
    """Survey, write a numbered plan naming each file the gold patch edits, read them,
    apply the patch, run the tests, finish."""
    files = touched_files(task.patch)
    symbols = task.expectations(PlanningExpectations).symbols
    steps = [f"Find `{symbol.rsplit('.', 1)[-1]}` with find_symbol." for symbol in symbols]
    steps += [f"Read and change `{path}`." for path in files]
    steps.append("Run the tests to verify the change.")
    plan = "Plan:\n" + "\n".join(f"{number}. {step}" for number, step in
                                 enumerate(steps, start=1))
    turns = [survey_turn(), AssistantTurn(analysis=plan, tool_calls=tool_call(
        "find_symbol", name=symbols[0].rsplit(".", 1)[-1]).tool_calls) if symbols else
        AssistantTurn(analysis=plan, tool_calls=tool_call("read_file",
                                                          path=files[0]).tool_calls)]
    turns += [tool_call("find_symbol", name=symbol.rsplit(".", 1)[-1]) for symbol in symbols[1:]]
    turns += [tool_call("read_file", path=path) for path in files]
    turns += [tool_call("apply_patch", patch=task.patch), tool_call("run_tests"),
              AssistantTurn(final=f"Changed {', '.join(files)} as planned.")]
    return ScriptedPolicy("oracle", turns)


PLANNING = Capability(
    name="planning",
    description="multi-file changes whose order matters: plan before editing, follow the "
                "plan, re-plan after failures",
    banks=("pypi.jsonl",),
    graders={"tests": HiddenTests()},
    tools=default_tools,
    system_prompt=SYSTEM_PROMPT,
    task_prompt=task_prompt,
    scorer=planning_scores,
    rewards={"resolved": rewards.resolved, "fail_to_pass": rewards.fail_to_pass_share,
             "plan_followed": plan_followed, "format": rewards.format_compliance},
    formatter=conversation_example,
    oracle=planning_oracle,
    expectations=PlanningExpectations,
    gate_pass_rate=0.3,
)
