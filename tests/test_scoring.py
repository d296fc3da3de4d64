"""The navigation scorer on real episodes, and how a case's scores are put together."""

from __future__ import annotations

from harness.agent import AgentBudget, AgentLoop
from harness.capabilities.navigation import NAVIGATION
from harness.policies import make_policy
from harness.results import Outcome
from harness.sandbox.local import LocalSandbox
from harness.scoring import case_scores, mean_scores
from harness.task import Task
from harness.tools import default_tools


def episode_scores(task: Task, model: str) -> dict[str, float]:
    with LocalSandbox(task.repo_source) as box:
        trajectory = AgentLoop(make_policy(model, task), box, default_tools(task),
                               AgentBudget()).run(task.instance_id, NAVIGATION.opening(task))
        outcome = Outcome(resolved=False, patch_applied=True, candidate_patch=box.diff())
    return case_scores(NAVIGATION, task, trajectory, outcome)


def test_oracle_finds_and_edits_every_expected_file_and_symbol(tiny_task: Task) -> None:
    assert episode_scores(tiny_task, "oracle") == {
        "files_found": 1.0, "files_edited": 1.0, "symbols_located": 1.0}


def test_null_finds_nothing(tiny_task: Task) -> None:
    assert episode_scores(tiny_task, "null") == {
        "files_found": 0.0, "files_edited": 0.0, "symbols_located": 0.0}


def test_mean_scores_averages_only_rows_that_have_a_score() -> None:
    means = mean_scores([{"a": 1.0, "b": 0.0}, {"a": 0.0}, {}])
    assert means == {"a": 0.5, "b": 0.0}
    assert mean_scores([]) == {}


def test_the_graders_scores_come_first_and_the_scorers_are_added(tiny_task: Task) -> None:
    with LocalSandbox(tiny_task.repo_source) as box:
        trajectory = AgentLoop(make_policy("oracle", tiny_task), box, default_tools(tiny_task),
                               AgentBudget()).run(tiny_task.instance_id,
                                                  NAVIGATION.opening(tiny_task))
    outcome = Outcome(resolved=True, patch_applied=True, candidate_patch="",
                      scores={"answer_recall": 0.25})
    assert case_scores(NAVIGATION, tiny_task, trajectory, outcome) == {
        "answer_recall": 0.25, "files_found": 1.0, "files_edited": 0.0, "symbols_located": 1.0}
