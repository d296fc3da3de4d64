"""Re-check a bank: every case solvable, none passing for free, each stable.

For each case, whatever its capability and grader: the capability's oracle works
through the tools and its submission is graded ``runs`` times (each grading must
resolve it, so a flaky case fails); the ``null`` policy's empty submission is
graded (it must not resolve it); and the grader says what is wrong with the case
itself, seen from that base-state grading (a FAIL_TO_PASS test that does not fail
there, an expected location that is not defined). Infrastructure errors are
reported as such, apart from broken cases.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from pydantic import BaseModel, Field

from harness.capabilities import get_capability
from harness.errors import BrokenTaskError, InfrastructureError
from harness.results import Outcome
from harness.run_config import RunConfig
from harness.runner import open_sandbox, play_and_grade
from harness.sandbox.backends import SandboxKind
from harness.sandbox.local import Isolation
from harness.task import Task


class CaseCheck(BaseModel):
    """The verdict on one case."""

    instance_id: str
    ok: bool
    problems: list[str] = Field(default_factory=list, description="why the case is broken")
    infra_error: str = Field(default="", description="set when the check itself could not run")
    seconds: float = 0.0


def check_case(task: Task, runs: int = 3, isolation: Isolation = "none",
               sandbox: SandboxKind = "local") -> CaseCheck:
    """Check one case (see the module docstring) in sandboxes of the ``sandbox`` backend;
    never raises for a broken case."""
    started = time.monotonic()
    config = RunConfig(model="oracle", sandbox=sandbox, isolation=isolation)
    try:
        problems = case_problems(task, runs, config)
    except BrokenTaskError as exc:
        return CaseCheck(instance_id=task.instance_id, ok=False, problems=[str(exc)],
                         seconds=time.monotonic() - started)
    except InfrastructureError as exc:
        return CaseCheck(instance_id=task.instance_id, ok=False,
                         infra_error=f"{type(exc).__name__}: {exc}",
                         seconds=time.monotonic() - started)
    return CaseCheck(instance_id=task.instance_id, ok=not problems, problems=problems,
                     seconds=time.monotonic() - started)


def case_problems(task: Task, runs: int, config: RunConfig) -> list[str]:
    """Why the case is broken (empty when it is sound)."""
    grader = get_capability(task.capability).grader_for(task)
    sandboxes = open_sandbox(task, config)
    problems: list[str] = []
    trajectory, oracle = play_and_grade(task, config)
    if not oracle.resolved:
        problems.append(f"oracle does not resolve it: {_failing(oracle)}")
    assert trajectory.submission is not None
    for run in range(2, runs + 1):
        again = grader.grade(task, trajectory.submission, sandboxes, config.grading_timeout)
        if not again.resolved:
            problems.append(f"the oracle's submission is unresolved on grading {run}: "
                            f"{_failing(again)}")
    _, null = play_and_grade(task, config.model_copy(update={"model": "null"}))
    if null.resolved:
        problems.append("null resolves it")
    return problems + grader.case_problems(task, null, sandboxes)


def check_cases(tasks: Sequence[Task], runs: int = 3, isolation: Isolation = "none",
                jobs: int = 2, on_done: Callable[[CaseCheck], None] | None = None,
                sandbox: SandboxKind = "local") -> Iterator[CaseCheck]:
    """Check cases ``jobs`` at a time (the work is in subprocesses); results in bank order."""
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        futures = [pool.submit(check_case, task, runs, isolation, sandbox) for task in tasks]
        for future in futures:
            check = future.result()
            if on_done is not None:
                on_done(check)
            yield check


def _failing(outcome: Outcome) -> str:
    """The tests that did not pass, or the grader's one-line summary."""
    bad = {t: s for t, s in {**outcome.fail_to_pass, **outcome.pass_to_pass}.items()
           if s not in ("passed", "skipped")}
    shown = ", ".join(f"{t} {s}" for t, s in sorted(bad.items())[:5])
    return shown or outcome.summary()
