"""Scores: numbers in [0, 1] beside ``resolved`` that say how far a solver got.

A case's scores are its grader's own measures (``Outcome.scores``, such as an
answer's precision and recall) and its capability's scorer's.
"""

from __future__ import annotations

from harness.protocols import Capability
from harness.results import Outcome
from harness.task import Task
from harness.trajectory import Trajectory


def case_scores(capability: Capability, task: Task, trajectory: Trajectory,
                outcome: Outcome) -> dict[str, float]:
    """The grader's scores, then the capability scorer's."""
    return {**outcome.scores, **capability.scorer(task, trajectory, outcome)}


def mean_scores(score_rows: list[dict[str, float]]) -> dict[str, float]:
    """The mean of each score over the rows that have it."""
    names = sorted({name for row in score_rows for name in row})
    return {name: sum(row[name] for row in score_rows if name in row)
            / sum(name in row for row in score_rows) for name in names}


def format_scores(scores: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.2f}" for name, value in scores.items())
