"""Navigation questions as cases graded on the final answer (Hybrid-Gym style).

One project at a time: its pinned sdist is indexed with ``ast`` (only the
spec's ``code`` globs), questions with exact answers are drawn with the bank's
seed (``generators.tasks.localisation``), and each question becomes a case
whose ``expected_answer`` lists the answer's locations. No test runs: the same
pin and seed always give the same cases.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

from generators.tasks.localisation import LocalisationQuestion, index_project, select_questions
from generators.tasks.module_names import module_name
from harness.capabilities.navigation import NavigationExpectations
from harness.sandbox.environments import DEFAULT_PACKAGES, EnvSpec
from harness.sandbox.local import Isolation, LocalSandbox
from harness.sources import normalise, source_tree
from harness.task import PypiSource, Task

INSTRUCTION = ("This is a question about the code, not a bug report: do not change any file. "
               "Give as your final answer the locations, one per line, each written "
               "path/to/file.py::Qualified.name.")
Progress = Callable[[str], None]


@dataclass(frozen=True)
class QuestionPlan:
    """Which questions to make from one project (see ``generators.tasks.bank_spec``)."""

    name: str
    version: str
    sha256: str
    questions: int
    code: tuple[str, ...]
    test_command: str
    python_packages: tuple[str, ...] = ()


def generate_questions(plan: QuestionPlan, capability: str, seed: int,
                       isolation: Isolation = "none", progress: Progress | None = None,
                       ) -> list[Task]:
    """Up to ``plan.questions`` cases of one project, in ``select_questions`` order."""
    source = PypiSource(kind="pypi", name=plan.name, version=plan.version, sha256=plan.sha256)
    index = index_project(source_tree(source), plan.code)
    questions = select_questions(index, project_seed(plan, seed), plan.questions)
    environment = EnvSpec(python_packages=(*DEFAULT_PACKAGES, *plan.python_packages))
    with LocalSandbox(source, isolation=isolation, environment=environment) as sandbox:
        base_commit = sandbox.base_commit
    tasks = [question_task(plan, question, capability, source, base_commit)
             for question in questions]
    if progress is not None:
        progress(f"{plan.name}: {len(tasks)} localisation questions")
    return tasks


def project_seed(plan: QuestionPlan, seed: int) -> int:
    """The bank's seed, made different per project and release."""
    text = f"{seed}:{normalise(plan.name)}:{plan.version}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "big")


def question_task(plan: QuestionPlan, question: LocalisationQuestion, capability: str,
                  source: PypiSource, base_commit: str) -> Task:
    """One answer-graded case: the question, its locations and what a solver has to find."""
    answer = [str(location) for location in question.answer]
    digest = hashlib.sha256((question.question + "\n".join(answer)).encode()).hexdigest()[:8]
    return Task(
        instance_id=f"{normalise(plan.name)}-{plan.version}-loc-{digest}",
        repo=f"pypi/{plan.name}", base_commit=base_commit,
        problem_statement=f"{question.question}\n\n{INSTRUCTION}", patch="", test_patch="",
        FAIL_TO_PASS=[], version=plan.version,
        capability=capability, source="generated:localisation", repo_source=source,
        test_command=plan.test_command, expected_answer=answer, grader="answer",
        python_packages=list(plan.python_packages),
        expected=NavigationExpectations(
            files=sorted({location.path for location in question.answer}),
            symbols=sorted({f"{module_name(location.path)}.{location.qualname}"
                            for location in question.answer})).model_dump())
