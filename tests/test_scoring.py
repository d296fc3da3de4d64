"""The navigation scorer on real episodes: the oracle finds everything, null nothing."""

from __future__ import annotations

from harness.agent import AgentBudget, AgentLoop
from harness.policies import make_policy
from harness.results import Outcome
from harness.sandbox.local import LocalSandbox
from harness.scoring import mean_scores, score
from harness.task import Task
from harness.tools import default_tools


def episode_scores(task: Task, model: str) -> dict[str, float]:
    with LocalSandbox(task.repo_source) as box:
        trajectory = AgentLoop(make_policy(model, task), box, default_tools(task),
                               AgentBudget()).run(task)
        outcome = Outcome(resolved=False, patch_applied=True, candidate_patch=box.diff())
    return score(task, trajectory, outcome)


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
