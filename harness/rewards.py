"""Reward signals every capability can use: plain functions ``(task, trajectory, outcome)
-> float``, each in [0, 1]; a capability lists the ones it trains on."""

from __future__ import annotations

from harness.results import Outcome
from harness.task import Task
from harness.trajectory import Trajectory


def resolved(task: Task, trajectory: Trajectory, outcome: Outcome) -> float:
    """1 when the grader resolved the case, else 0."""
    return 1.0 if outcome.resolved else 0.0


def fail_to_pass_share(task: Task, trajectory: Trajectory, outcome: Outcome) -> float:
    """The share of FAIL_TO_PASS tests that pass (0 when the case has none graded)."""
    statuses = list(outcome.fail_to_pass.values())
    return sum(status == "passed" for status in statuses) / len(statuses) if statuses else 0.0


def format_compliance(task: Task, trajectory: Trajectory, outcome: Outcome) -> float:
    """The share of policy steps whose output could be used (0 for an episode with none)."""
    if trajectory.turns == 0:
        return 0.0
    return max(0.0, 1.0 - trajectory.format_errors / trajectory.turns)
