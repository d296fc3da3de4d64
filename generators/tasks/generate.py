"""Build a bank from a spec: bug-injection cases and localisation questions per project,
validated, written as JSONL."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tqdm import tqdm

from generators.tasks.bank_card import DrawStats
from generators.tasks.bank_spec import BankSpec
from generators.tasks.injection import generate_project
from generators.tasks.localisation_bank import generate_questions
from harness.errors import InfrastructureError
from harness.sandbox.local import Isolation
from harness.task import Task
from harness.validation import CaseCheck, check_case

Progress = Callable[[str], None]


@dataclass
class GeneratedBank:
    """The kept cases sorted by id, the checks of the dropped ones, how bugs were drawn."""

    tasks: list[Task]
    dropped: list[CaseCheck]
    stats: DrawStats


def generate_bank(spec: BankSpec, isolation: Isolation = "none", jobs: int = 2,
                  progress: Progress | None = None) -> GeneratedBank:
    """Generate and validate every case of ``spec``; projects run ``jobs`` at a time.

    Bug injection runs for projects with a bug quota, question generation for
    projects with ``questions > 0``. With ``progress``, messages go there and both stages
    show a progress bar.
    """
    bars = progress is not None
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        bug_jobs = [pool.submit(generate_project, project.plan(), spec.capability, spec.seed,
                                isolation, progress) for project in spec.projects
                    if project.cases + project.combined + project.triples + project.signatures
                     + project.removals + project.interacting > 0]
        question_jobs = [pool.submit(generate_questions, project.question_plan(),
                                     spec.capability, spec.seed, isolation, progress)
                         for project in spec.projects if project.questions > 0]
        with tqdm(total=len(bug_jobs) + len(question_jobs), desc="generating", unit="job",
                  disable=not bars) as bar:
            jobs_running: list[Future[Any]] = [*bug_jobs, *question_jobs]
            for _ in as_completed(jobs_running):
                bar.update()
        stats = DrawStats()
        made = []
        for job in bug_jobs:
            made += job.result().tasks
            stats.add(job.result().stats)
        made += [task for job in question_jobs for task in job.result()]
    kept: list[Task] = []
    dropped: list[CaseCheck] = []
    unchecked: list[CaseCheck] = []
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool, \
            tqdm(total=len(made), desc="validating", unit="case", disable=not bars) as bar:
        for task, check in zip(made, pool.map(lambda t: check_case(t, 1, isolation), made),
                               strict=True):
            bar.update()
            if check.infra_error:
                unchecked.append(check)
            elif check.ok:
                kept.append(task)
            else:
                dropped.append(check)
            if progress is not None and not check.ok:
                verdict = "INFRA" if check.infra_error else "DROPPED"
                progress(f"{verdict} {task.instance_id}")
    if unchecked:
        # A bank must not depend on which checks the infrastructure let through: no bank.
        lines = "\n".join(f"  {check.instance_id}: {check.infra_error}" for check in unchecked)
        raise InfrastructureError(f"{len(unchecked)} case(s) could not be validated; fix the "
                                  f"environment and generate again:\n{lines}")
    return GeneratedBank(sorted(kept, key=lambda task: task.instance_id), dropped, stats)


def write_bank(tasks: list[Task], path: Path) -> None:
    """One JSON row per case, fields at their defaults left out (so a new field does not
    change every row); the same tasks always give the same bytes."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(task.model_dump_json(exclude_defaults=True) + "\n"
                            for task in tasks), encoding="utf-8")
