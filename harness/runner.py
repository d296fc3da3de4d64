"""Run one case end to end: sandbox, agent loop, grading, with retries on infrastructure errors."""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime

from pydantic import BaseModel, Field

from harness.agent import AgentBudget, AgentLoop
from harness.context import ContextConfig
from harness.errors import InfrastructureError
from harness.grading import grade
from harness.grading.answer import grade_final_answer
from harness.policies import make_policy
from harness.protocols import Sandbox
from harness.results import CaseResult, Outcome
from harness.rundir import RunDir
from harness.sandbox.backends import SandboxKind, sandbox_opener
from harness.sandbox.local import Isolation
from harness.scoring import score
from harness.task import Task
from harness.tools import default_tools
from harness.trajectory import Trajectory


class RunConfig(BaseModel):
    """How cases are run; one per session, shared by all cases."""

    model: str = Field(description="policy URI: oracle, null, replay:PATH, ...")
    sandbox: SandboxKind = Field(default="local", description="sandbox backend: local or docker")
    isolation: Isolation = Field(default="none", description="bwrap or none (local sandbox)")
    budget: AgentBudget = Field(default_factory=AgentBudget)
    context: ContextConfig = Field(default_factory=ContextConfig)
    grading_timeout: float = Field(default=900.0, description="seconds for the hidden tests")
    infra_retries: int = Field(default=2, ge=0, description="retries after infrastructure errors")


    @property
    def isolation_used(self) -> str:
        """What isolates commands: the container for docker, else the local isolation."""
        return "docker" if self.sandbox == "docker" else self.isolation


def open_sandbox(task: Task, config: RunConfig) -> Callable[[], Sandbox]:
    """Opens fresh sandboxes of ``task`` with the configured backend."""
    return sandbox_opener(task, config.sandbox, config.isolation)


def attempt_case(task: Task, config: RunConfig) -> tuple[Trajectory, Outcome]:
    """One attempt: the policy works in a sandbox, then a fresh sandbox grades its diff
    (an answer case, one with ``expected_answer``, is graded on its final answer instead)."""
    opener = open_sandbox(task, config)
    with opener() as sandbox:
        policy = make_policy(config.model, task)
        loop = AgentLoop(policy, sandbox, default_tools(task), config.budget, config.context)
        trajectory = loop.run(task)
        candidate = sandbox.diff()
    if task.expected_answer:
        return trajectory, grade_final_answer(task, trajectory, candidate)
    outcome = grade(task, candidate, opener, timeout=config.grading_timeout)
    return trajectory, outcome


def run_case(task: Task, epoch: int, config: RunConfig, run_dir: RunDir,
             attempt: Callable[[Task, RunConfig], tuple[Trajectory, Outcome]] = attempt_case,
             ) -> CaseResult:
    """Run a case, retrying infrastructure errors, and append its row to the run directory."""
    started = time.monotonic()
    error: str | None = None
    attempts = 0
    trajectory: Trajectory | None = None
    outcome: Outcome | None = None
    while attempts <= config.infra_retries:
        attempts += 1
        try:
            trajectory, outcome = attempt(task, config)
            error = None
            break
        except InfrastructureError as exc:
            error = f"{type(exc).__name__}: {exc}"
    result = CaseResult(
        instance_id=task.instance_id, epoch=epoch, capability=task.capability, model=config.model,
        status="infra_error" if outcome is None else
        ("resolved" if outcome.resolved else "unresolved"),
        outcome=outcome, error=error, attempts=attempts, seconds=time.monotonic() - started,
        worker=os.environ.get("PYTEST_XDIST_WORKER", "main"),
        finished_at=datetime.now(UTC).isoformat(timespec="seconds"))
    if trajectory is not None and outcome is not None:
        result = result.model_copy(update={
            "scores": score(task, trajectory, outcome),
            "turns": trajectory.turns, "prompt_tokens": trajectory.prompt_tokens,
            "completion_tokens": trajectory.completion_tokens,
            "format_errors": trajectory.format_errors, "echoes": trajectory.echoes,
            "exit_reason": trajectory.exit_reason,
            "trajectory": run_dir.write_trajectory(trajectory, epoch)})
    run_dir.append_result(result)
    return result
