"""The answer grader ('answer'): a case graded by its final answer, the exact set of code
locations it names.

A location is ``path/to/file.py::Qualified.name`` (the path relative to the
repository root). The answer is free text; every location in it counts (see
``parse_answer``), and the case is resolved when the set named equals the
task's ``expected_answer`` exactly.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from dataclasses import dataclass

from harness.errors import ToolError
from harness.protocols import SandboxFactory
from harness.results import Outcome, Submission
from harness.task import Task, required_fields

ANSWER_CHARS = 4000
_LOCATION = re.compile(r"(?<![\w./-])((?:\./)*[\w.][\w.-]*(?:/[\w.-]+)*\.py)::?"
                       r"([A-Za-z_]\w*(?:(?:\.|::)[A-Za-z_]\w*)*)")


@dataclass(frozen=True, order=True)
class Location:
    """A definition: ``path`` relative to the root (POSIX), ``qualname`` without ``<locals>``."""

    path: str
    qualname: str

    def __str__(self) -> str:
        return f"{self.path}::{self.qualname}"

    @classmethod
    def parse(cls, text: str) -> Location:
        """The inverse of ``str``: ``path::qualname``."""
        path, separator, qualname = text.partition("::")
        if not separator or not path or not qualname:
            raise ValueError(f"not a location path::qualname: {text!r}")
        return cls(path, qualname)


@dataclass(frozen=True)
class AnswerGrade:
    """Exact-set grading of one answer text."""

    correct: bool
    precision: float
    recall: float
    found: tuple[Location, ...]
    missing: tuple[Location, ...]
    extra: tuple[Location, ...]


def parse_answer(text: str) -> set[Location]:
    """Every location in free text.

    Accepted: ``path.py::Qual.name`` and ``path.py:Qual.name``, anywhere in the text (bullets,
    numbering, backticks, quotes, commas, trailing ``()`` or ``.`` are fine). The path is
    relative, made of letters, digits, ``_``, ``.`` and ``-``; backslashes count as ``/``,
    leading ``./`` is dropped, an absolute path is not accepted. In the qualified name
    pytest-style ``::`` separators become ``.`` and ``<locals>`` parts are dropped.
    """
    text = text.replace("\\", "/").replace(".<locals>.", ".")
    found: set[Location] = set()
    for path, qualname in _LOCATION.findall(text):
        while path.startswith("./"):
            path = path[2:]
        found.add(Location(path, qualname.replace("::", ".")))
    return found


def grade_answer(expected: Sequence[Location], text: str) -> AnswerGrade:
    """Correct iff the parsed set equals ``expected``; precision and recall of the overlap."""
    want, given = set(expected), parse_answer(text)
    found = want & given
    return AnswerGrade(
        correct=want == given,
        precision=len(found) / len(given) if given else float(not want),
        recall=len(found) / len(want) if want else 1.0,
        found=tuple(sorted(found)), missing=tuple(sorted(want - given)),
        extra=tuple(sorted(given - want)))


class ExactAnswer:
    """The 'answer' grader: resolved when the final answer names exactly the task's
    ``expected_answer`` locations; precision and recall are its scores."""

    def check(self, task: Task) -> None:
        required_fields(task, ("expected_answer",),
                        "a case graded by its answer needs the locations the answer must name")

    def grade(self, task: Task, submission: Submission, open_sandbox: SandboxFactory,
              timeout: float) -> Outcome:
        """No sandbox is needed: the answer is text. The patch is recorded, not graded."""
        answer = submission.answer
        grade = grade_answer([Location.parse(text) for text in task.expected_answer], answer)
        return Outcome(resolved=grade.correct, patch_applied=False,
                       candidate_patch=submission.patch, answer=answer[:ANSWER_CHARS],
                       scores={"answer_precision": grade.precision,
                               "answer_recall": grade.recall},
                       answer_missing=[str(x) for x in grade.missing],
                       answer_extra=[str(x) for x in grade.extra])

    def case_problems(self, task: Task, at_base: Outcome,
                      open_sandbox: SandboxFactory) -> list[str]:
        """An expected location must be a definition at the base state."""
        problems: list[str] = []
        with open_sandbox() as sandbox:
            for location in map(Location.parse, task.expected_answer):
                try:
                    source = sandbox.read_file(location.path).decode("utf-8")
                    defined = is_defined(source, location.qualname)
                except (ToolError, OSError, UnicodeDecodeError, SyntaxError, ValueError):
                    defined = False
                if not defined:
                    problems.append(f"expected location {location} is not defined at the base "
                                    "state")
        return problems


def is_defined(source: str, qualname: str) -> bool:
    """Whether ``qualname`` (``Class.method``, ``function``) is defined in Python ``source``:
    each part a class or function nested in the one before, at any depth of ``if``/``try``."""
    scopes: list[ast.AST] = [ast.parse(source)]
    for part in qualname.split("."):
        found = [node for scope in scopes for node in _definitions(scope)
                 if node.name == part]
        if not found:
            return False
        scopes = list(found)
    return True


def _definitions(scope: ast.AST) -> list[ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef]:
    """Classes and functions directly in ``scope`` (through compound statements, not defs)."""
    kinds = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
    found: list[ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef] = []
    pending = list(ast.iter_child_nodes(scope))
    while pending:
        node = pending.pop()
        if isinstance(node, kinds):
            found.append(node)
        elif isinstance(node, ast.stmt):
            pending.extend(ast.iter_child_nodes(node))
    return found
