"""Playing and grading one episode, for tests that compare policies on real cases."""

from __future__ import annotations

from harness.run_config import RunConfig
from harness.task import Task


def scores_of(task: Task, model: str, max_turns: int = 4) -> dict[str, float]:
    """One episode of ``model`` on ``task``, graded: resolved, then its case scores."""
    from harness.agent import AgentBudget
    from harness.capabilities import get_capability
    from harness.runner import play_and_grade
    from harness.scoring import case_scores

    config = RunConfig(model=model, budget=AgentBudget(max_turns=max_turns),
                       grading_timeout=300)
    trajectory, graded = play_and_grade(task, config)
    capability = get_capability(task.capability)
    return {"resolved": float(graded.resolved),
            **case_scores(capability, task, trajectory, graded)}
