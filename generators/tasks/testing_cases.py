"""Testing cases from screened bugs: the same injected bug asked of a test writer.

A bug-fix case (``generators.tasks.injection.make_task``) becomes one of the testing
capability's kinds (``harness.capabilities.testing``):

- ``reproduction`` and ``tdd``: the case as it is (the buggy base, its failing tests
  hidden, the gold fix), graded on the tests the model writes (and, for TDD, its fix);
- ``coverage_gap``: the *clean* project with the same tests hidden, asking for tests of
  the function the bug was in; the bug becomes the mutant the tests must catch.
"""

from __future__ import annotations

import ast
import hashlib

from generators.tasks.mutations import Mutation
from harness.capabilities.testing import WrittenTestExpectations
from harness.sandbox.environments import EnvSpec
from harness.sandbox.local import Isolation, LocalSandbox
from harness.task import PypiSource, Task

VARIANTS = ("coverage_gap", "tdd", "reproduction")


def variant_for(index: int, coverage_gaps: int, tdd: int) -> str:
    """The kind the ``index``-th bug of a project becomes: coverage gaps first, then TDD,
    then reproduction."""
    if index < coverage_gaps:
        return "coverage_gap"
    return "tdd" if index < coverage_gaps + tdd else "reproduction"


def function_lines(source: str, symbol: str) -> tuple[int, int] | None:
    """The first and last line of the function ``symbol`` (``Class.method``, ``outer.inner``)
    in ``source``; None when it is not there."""
    scopes: list[ast.AST] = [ast.parse(source)]
    node: ast.AST | None = None
    for part in symbol.split("."):
        node = next((child for scope in scopes for child in ast.iter_child_nodes(scope)
                     if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                     and child.name == part), None)
        if node is None:
            return None
        scopes = [node]
    if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        return None
    first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
    return first, node.end_lineno or node.lineno


def as_testing_case(task: Task, mutations: tuple[Mutation, ...], variant: str, module: str,
                 isolation: Isolation, environment: EnvSpec) -> Task | None:
    """``task`` as a testing case of ``variant``; None when a coverage gap cannot be made
    (the bug is not inside one function)."""
    expected = WrittenTestExpectations(files=task.expected.get("files", []),
                                   symbols=task.expected.get("symbols", []))
    if variant != "coverage_gap":
        return task.model_copy(update={
            "instance_id": f"{task.instance_id}-{variant}", "grader": variant,
            "expected": expected.model_dump(exclude_defaults=True)})
    if len(mutations) != 1 or not isinstance(task.repo_source, PypiSource):
        return None
    bug = mutations[0]
    lines = function_lines(bug.original, bug.symbol)
    if lines is None:
        return None
    name = f"{module}.{bug.symbol}"
    source = task.repo_source.model_copy(update={"base_patch": ""})
    with LocalSandbox(source, isolation=isolation, environment=environment) as base:
        base_commit = base.base_commit
    statement = (f"`{name}` (in `{bug.path}`, lines {lines[0]}-{lines[1]}) is not exercised "
                 "by the project's test-suite. Please add tests for it: they should pass on "
                 "the code as it is, and fail if its behaviour regressed.\n")
    digest = hashlib.sha256(f"{task.instance_id}:{name}".encode()).hexdigest()[:8]
    gap = WrittenTestExpectations(function=name, path=bug.path, lines=list(lines),
                              mutant=task.repo_source.base_patch)
    return task.model_copy(update={
        "instance_id": f"{task.instance_id.rsplit('-', 1)[0]}-{digest}-coverage_gap",
        "grader": "coverage_gap", "repo_source": source, "base_commit": base_commit,
        "problem_statement": statement, "patch": "", "FAIL_TO_PASS": [],
        "PASS_TO_PASS": sorted({*task.FAIL_TO_PASS, *task.PASS_TO_PASS}),
        "difficulty": "medium", "expected": gap.model_dump(exclude_defaults=True)})
