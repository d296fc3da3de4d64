"""Capability scorers: numbers beside ``resolved`` that say how far a solver got.

A scorer is a plain function ``(task, trajectory, outcome) -> {name: value}``
with values in [0, 1]; ``SCORERS`` maps a capability to its scorer. An answer
case (``expected_answer``) also gets ``answer_precision`` and ``answer_recall``,
whatever its capability.
"""

from __future__ import annotations

import posixpath
from collections.abc import Callable

from harness.grading.patches import touched_files
from harness.results import Outcome
from harness.task import Task
from harness.trajectory import Trajectory

Scorer = Callable[[Task, Trajectory, Outcome], dict[str, float]]


def _normal(path: object) -> str:
    return posixpath.normpath(str(path)).lstrip("./") if path else ""


def navigation_scores(task: Task, trajectory: Trajectory, outcome: Outcome) -> dict[str, float]:
    """Share of expected files read or edited, files edited (not for answer cases, which
    edit nothing), and symbols located."""
    expected_files = set(task.expected.files)
    ok_steps = [step for step in trajectory.steps if step.error is None]
    read = {_normal(s.arguments.get("path")) for s in ok_steps if s.tool == "read_file"}
    edited = set(touched_files(outcome.candidate_patch))
    looked_up = [str(s.arguments.get("name", "")) for s in ok_steps if s.tool == "find_symbol"]
    scores: dict[str, float] = {}
    if expected_files:
        scores["files_found"] = len(expected_files & (read | edited)) / len(expected_files)
        if not task.expected_answer:
            scores["files_edited"] = len(expected_files & edited) / len(expected_files)
    if task.expected.symbols:
        located = [symbol for symbol in task.expected.symbols
                   if any(name and (symbol == name or symbol.endswith("." + name))
                          for name in looked_up)]
        scores["symbols_located"] = len(located) / len(task.expected.symbols)
    return scores


def answer_scores(task: Task, trajectory: Trajectory, outcome: Outcome) -> dict[str, float]:
    """Precision and recall of the locations a final answer names (answer cases only)."""
    if outcome.answer_precision is None or outcome.answer_recall is None:
        return {}
    return {"answer_precision": outcome.answer_precision,
            "answer_recall": outcome.answer_recall}


SCORERS: dict[str, Scorer] = {"navigation": navigation_scores}


def score(task: Task, trajectory: Trajectory, outcome: Outcome) -> dict[str, float]:
    """The capability's scores (none without a scorer), plus an answer case's answer scores."""
    scorer = SCORERS.get(task.capability)
    scores = scorer(task, trajectory, outcome) if scorer else {}
    if task.expected_answer:
        scores.update(answer_scores(task, trajectory, outcome))
    return scores


def mean_scores(score_rows: list[dict[str, float]]) -> dict[str, float]:
    """The mean of each score over the rows that have it."""
    names = sorted({name for row in score_rows for name in row})
    return {name: sum(row[name] for row in score_rows if name in row)
            / sum(name in row for row in score_rows) for name in names}


def format_scores(scores: dict[str, float]) -> str:
    return ", ".join(f"{name} {value:.2f}" for name, value in scores.items())
