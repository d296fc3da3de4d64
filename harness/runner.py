"""Run one case end to end: an episode in a sandbox, then its grading in a fresh one.

An infrastructure error repeats only the part that failed: a failed episode is
played again (its partial trajectory is set aside as ``<id>.attempt-N.json``), a
failed grading grades the saved submission again without a new episode, and a
broken case (``BrokenTaskError``) is never retried. The trajectory is saved after
every step, so a crash keeps every turn played until then.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from datetime import UTC, datetime

from harness.agent import AgentLoop
from harness.capabilities import get_capability
from harness.errors import BrokenTaskError, InfrastructureError, ToolError
from harness.policies import make_policy
from harness.protocols import Capability, SandboxFactory
from harness.results import CaseResult, FailureKind, Outcome, Submission
from harness.run_config import RunConfig
from harness.rundir import RunDir
from harness.sandbox.backends import sandbox_opener
from harness.scoring import case_scores
from harness.task import Task
from harness.trajectory import Trajectory

SandboxOpener = Callable[[Task, RunConfig], SandboxFactory]


def open_sandbox(task: Task, config: RunConfig) -> SandboxFactory:
    """Opens fresh sandboxes of ``task`` with the configured backend."""
    return sandbox_opener(task, config.sandbox, config.isolation, config.limits)


def run_episode(task: Task, capability: Capability, config: RunConfig,
                sandboxes: SandboxFactory,
                on_step: Callable[[Trajectory], None] | None = None) -> Trajectory:
    """The policy works on the case in a fresh sandbox, with the capability's tools and
    prompts; the trajectory ends with its submission (the diff and the final answer)."""
    with sandboxes() as sandbox:
        loop = AgentLoop(make_policy(config.model, task), sandbox, capability.tools(task),
                         config.budget, config.context, on_step)
        trajectory = loop.run(task.instance_id, capability.opening(task))
        try:
            submission = Submission(patch=sandbox.diff(), answer=trajectory.final_answer())
        except ToolError as exc:
            submission = Submission(answer=trajectory.final_answer(), problem=str(exc))
        trajectory.submission = submission
        trajectory.limits_reached = sandbox.limits_reached()
    if on_step is not None:
        on_step(trajectory)
    return trajectory


def play_and_grade(task: Task, config: RunConfig,
                   opener: SandboxOpener = open_sandbox) -> tuple[Trajectory, Outcome]:
    """One episode and its grading, with no retries and nothing recorded (validation)."""
    capability = get_capability(task.capability)
    sandboxes = opener(task, config)
    trajectory = run_episode(task, capability, config, sandboxes)
    assert trajectory.submission is not None
    outcome = capability.grader_for(task).grade(task, trajectory.submission, sandboxes,
                                                config.grading_timeout)
    return trajectory, outcome


def run_case(task: Task, epoch: int, config: RunConfig, run_dir: RunDir,
             opener: SandboxOpener = open_sandbox) -> CaseResult:
    """Run a case, retrying what infrastructure broke, and append its row to the run
    directory; ``opener`` is the seam through which sandboxes (and faults) come."""
    capability = get_capability(task.capability)
    grader = capability.grader_for(task)
    sandboxes = opener(task, config)

    def save(trajectory: Trajectory) -> None:
        run_dir.write_trajectory(trajectory, epoch)

    started = time.monotonic()
    trajectory: Trajectory | None = None
    outcome: Outcome | None = None
    error: str | None = None
    attempts = 0
    while outcome is None and attempts <= config.infra_retries:
        attempts += 1
        try:
            if trajectory is None:
                trajectory = run_episode(task, capability, config, sandboxes, save)
            assert trajectory.submission is not None
            outcome = grader.grade(task, trajectory.submission, sandboxes,
                                   config.grading_timeout)
            error = None
        except BrokenTaskError as exc:
            error = f"{type(exc).__name__}: {exc}"
            break
        except InfrastructureError as exc:
            error = f"{type(exc).__name__}: {exc}"
            if trajectory is None:
                run_dir.set_aside_trajectory(task.instance_id, epoch, attempts)
        except Exception as exc:  # a harness bug: the case still gets its row, and says so
            error = f"internal error (a bug of the harness): {type(exc).__name__}: {exc}"
            break
    return record(run_dir, CaseResult(
        instance_id=task.instance_id, epoch=epoch, capability=capability.name,
        model=config.model, status="infra_error" if outcome is None else
        ("resolved" if outcome.resolved else "unresolved"),
        outcome=outcome, error=error, attempts=attempts, seconds=time.monotonic() - started,
        worker=os.environ.get("PYTEST_XDIST_WORKER", "main"),
        finished_at=datetime.now(UTC).isoformat(timespec="seconds")),
        trajectory, capability, task)


def failure_kind(outcome: Outcome, trajectory: Trajectory) -> FailureKind | None:
    """Why an unresolved case failed, the episode's endings and limits included."""
    if outcome.resolved:
        return None
    if outcome.failure_kind in ("tampering", "timeout"):
        return outcome.failure_kind
    if trajectory.exit_reason == "wall_time":
        return "timeout"
    if outcome.failure_kind == "resource_limit" or trajectory.limits_reached:
        return "resource_limit"
    return "model"


def record(run_dir: RunDir, result: CaseResult, trajectory: Trajectory | None,
           capability: Capability, task: Task) -> CaseResult:
    """Fill in what the trajectory (and the outcome) tell, and append the row."""
    if trajectory is not None:
        result = result.model_copy(update={
            "turns": trajectory.turns, "prompt_tokens": trajectory.prompt_tokens,
            "completion_tokens": trajectory.completion_tokens,
            "format_errors": trajectory.format_errors, "echoes": trajectory.echoes,
            "exit_reason": trajectory.exit_reason,
            "trajectory": run_dir.trajectory_path(trajectory.instance_id, result.epoch)})
        if result.outcome is not None:
            if result.outcome.official_report is not None:
                run_dir.write_instance_report(task.instance_id, result.epoch,
                                              result.outcome.official_report)
            result.scores = case_scores(capability, task, trajectory, result.outcome)
            result.failure_kind = failure_kind(result.outcome, trajectory)
    run_dir.append_result(result)
    return result
