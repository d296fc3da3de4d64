"""Re-check a bank: every case solvable, none passing for free, each stable.

For each case: the ``oracle`` policy works through the tools and its result is
graded (it must resolve); the gold patch is graded again until ``runs``
gradings in all agree (a flaky case fails); the ``null`` policy's empty
result is graded (it must not resolve, and every FAIL_TO_PASS test must really
fail at the base state, not be missing). An answer case (``expected_answer``)
has no tests: the oracle's final answer must resolve it in each of ``runs``
episodes and the null policy's must not. Infrastructure errors are reported
as such, apart from broken cases.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor

from pydantic import BaseModel, Field

from harness.errors import BrokenTaskError, InfrastructureError, ToolError
from harness.grading import grade
from harness.grading.answer import Location, is_defined
from harness.results import Outcome
from harness.runner import RunConfig, attempt_case, open_sandbox
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
        problems = (_answer_problems(task, runs, config) if task.expected_answer
                    else _test_problems(task, runs, config))
    except BrokenTaskError as exc:
        return CaseCheck(instance_id=task.instance_id, ok=False, problems=[str(exc)],
                         seconds=time.monotonic() - started)
    except InfrastructureError as exc:
        return CaseCheck(instance_id=task.instance_id, ok=False,
                         infra_error=f"{type(exc).__name__}: {exc}",
                         seconds=time.monotonic() - started)
    return CaseCheck(instance_id=task.instance_id, ok=not problems, problems=problems,
                     seconds=time.monotonic() - started)


def _null(oracle: RunConfig) -> RunConfig:
    return oracle.model_copy(update={"model": "null"})


def _test_problems(task: Task, runs: int, config: RunConfig) -> list[str]:
    problems: list[str] = []
    oracle = attempt_case(task, config)[1]
    if not oracle.resolved:
        problems.append(f"oracle does not resolve it: {_failing(oracle)}")
    for run in range(2, runs + 1):
        gold = grade(task, task.patch, open_sandbox(task, config))
        if not gold.resolved:
            problems.append(f"gold patch unresolved on run {run}: {_failing(gold)}")
    null = attempt_case(task, _null(config))[1]
    if null.resolved:
        problems.append("null resolves it")
    missing = sorted(t for t, s in null.fail_to_pass.items() if s not in ("failed", "error"))
    if missing:
        problems.append(f"FAIL_TO_PASS tests do not fail at the base state: {missing}")
    return problems


def _answer_problems(task: Task, runs: int, config: RunConfig) -> list[str]:
    problems = _undefined_locations(task, config)
    for run in range(1, max(1, runs) + 1):
        oracle = attempt_case(task, config)[1]
        if not oracle.resolved:
            problems.append(f"oracle does not resolve it on run {run}: {oracle.summary()}")
    null = attempt_case(task, _null(config))[1]
    if null.resolved:
        problems.append("null resolves it")
    return problems


def _undefined_locations(task: Task, config: RunConfig) -> list[str]:
    """An expected location that is not a definition at the base state makes a broken case."""
    problems: list[str] = []
    with open_sandbox(task, config)() as sandbox:
        for location in map(Location.parse, task.expected_answer):
            try:
                source = sandbox.read_file(location.path).decode("utf-8")
                defined = is_defined(source, location.qualname)
            except (ToolError, OSError, UnicodeDecodeError, SyntaxError, ValueError):
                defined = False
            if not defined:
                problems.append(f"expected location {location} is not defined at the base state")
    return problems


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
    if not outcome.patch_applied:
        return "the patch does not apply"
    bad = {t: s for t, s in {**outcome.fail_to_pass, **outcome.pass_to_pass}.items()
           if s not in ("passed", "skipped")}
    shown = ", ".join(f"{t} {s}" for t, s in sorted(bad.items())[:5])
    return shown or "no test result"
