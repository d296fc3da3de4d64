"""The 'escalation' grader: cases that cannot be resolved as asked, graded on saying so.

An unsolvable case asks for something the repository forbids (a behaviour its own tests
rule out, while those tests must keep passing). The right outcome is no change and a
final answer that begins with ``ESCALATION_PREFIX`` and says why, naming one of the
tests that stand in the way (``expected.conflict``): that is evidence the solver found
the conflict rather than giving up (its function and its file: the statement names only
the function). Resolved when all three hold; a change to the
repository, a missing prefix or an unnamed conflict is unresolved (``model``).
"""

from __future__ import annotations

import posixpath
import re

from harness.errors import TaskFieldError
from harness.grading.answer import ANSWER_CHARS
from harness.protocols import SandboxFactory
from harness.results import Outcome, Submission
from harness.task import Task

ESCALATION_PREFIX = "Cannot resolve:"


def escalates(answer: str) -> bool:
    """Whether a final answer is an escalation (begins with the prefix, any case)."""
    return answer.lstrip().lower().startswith(ESCALATION_PREFIX.lower())


def function_of_test(test_id: str) -> str:
    """``tests/t.py::Class::test_x[1]`` -> ``test_x``."""
    return test_id.rsplit("::", 1)[-1].split("[", 1)[0]


def names_conflict(answer: str, conflict: list[str]) -> bool:
    """Whether the answer names one of the conflicting tests by its function and its file
    (the statement names the function only: the file shows the solver found the test)."""
    return any(re.search(rf"(?<!\w){re.escape(function_of_test(test))}(?!\w)", answer)
               and posixpath.basename(test.split("::", 1)[0]) in answer for test in conflict)


class Escalation:
    """Grades the final answer and the (absent) change of an unsolvable case."""

    def check(self, task: Task) -> None:
        conflict = task.expected.get("conflict")
        if not isinstance(conflict, list) or not conflict:
            raise TaskFieldError("expected.conflict", "must list the tests that make the "
                                 "request impossible")

    def grade(self, task: Task, submission: Submission, open_sandbox: SandboxFactory,
              timeout: float) -> Outcome:
        answer = submission.answer or ""
        conflict = list(task.expected.get("conflict", []))
        scores = {"escalated": float(escalates(answer)),
                  "named_conflict": float(names_conflict(answer, conflict))}
        failure = ""
        if submission.problem:
            failure = submission.problem
        elif submission.patch.strip():
            failure = "the repository was changed; an unsolvable case wants no change"
        elif not escalates(answer):
            failure = f"the final answer does not begin with {ESCALATION_PREFIX!r}"
        elif not scores["named_conflict"]:
            failure = "the escalation does not name the test that stands in the way"
        return Outcome(resolved=not failure, patch_applied=False,
                       candidate_patch=submission.patch, answer=answer[:ANSWER_CHARS],
                       scores=scores, failure=failure,
                       failure_kind=None if not failure else "model")

    def case_problems(self, task: Task, at_base: Outcome,
                      open_sandbox: SandboxFactory) -> list[str]:
        return []
