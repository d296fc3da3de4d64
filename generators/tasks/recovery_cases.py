"""Recovery cases from screened bugs (``harness.capabilities.recovery``).

- ``misdirected``: a bug whose failing tests' tracebacks never end in its file, and some
  end in project code elsewhere (the error surfaces at a caller);
- ``interacting``: two bugs in two files that fail a test in common (picked by
  ``generators.tasks.injection``), so that fixing one leaves that test failing;
- ``fault``: a bug, with an environment fault for the episode (``harness.sandbox.faults``),
  the kinds taken in turn;
- ``unsolvable``: the clean project and a request for the behaviour the bug had, which a
  test of the project forbids: an equality assertion the bug broke (``assert L == R``,
  one side computed by a call), asked to give the bug's value instead of the one the test
  wants while every test keeps passing. Graded on escalation;
- ``request``: the twin of an unsolvable case, in the same words: the bug's project and a
  request for the value that test wants instead of the bug's (fixing the bug), graded on
  its hidden tests. A solver that escalates whatever it reads fails these.
"""

from __future__ import annotations

import ast
import hashlib
import re
from collections.abc import Mapping, Sequence

from generators.tasks.statements import describe_test, scrub
from harness.capabilities.recovery import RecoveryExpectations
from harness.grading.patches import is_test_path
from harness.sandbox.environments import EnvSpec
from harness.sandbox.faults import Fault, FaultKind
from harness.sandbox.local import Isolation, LocalSandbox
from harness.task import PypiSource, Task

FAULT_KINDS: tuple[FaultKind, ...] = ("timeout_once", "fail_once", "truncated_once")
_EQUALITY = re.compile(r"^(?:AssertionError: )?assert (.{1,80}) == (.{1,80})$")
_CUT = re.compile(r"\.\.\.|\[\d+ chars\]| at 0x")


def project_frames(traceback: str) -> list[str]:
    """The files of a pytest traceback's frames in the project (relative paths; the
    interpreter's and installed packages' are absolute) that are not tests, in order."""
    files = re.findall(r"^([^\s:]+\.py):\d+: ", traceback, flags=re.MULTILINE)
    return [path for path in files if not is_test_path(path)
            and not path.startswith(("/", "<")) and ".." not in path.split("/")]


def misdirected(bug_files: Sequence[str], tracebacks: Mapping[str, str]) -> bool:
    """Whether no failing test's traceback ends in a file of the bug, and some end in
    project code (the error is raised at a caller, or a callee of the bug's)."""
    ends = [frames[-1] for frames in map(project_frames, tracebacks.values()) if frames]
    return bool(ends) and not any(end in bug_files for end in ends)


def fault_expectation(task: Task, index: int) -> Task:
    """``task`` with the ``index``-th fault kind injected on its second test run (the first
    fails because of the bug anyway; the second usually checks a fix)."""
    expected = RecoveryExpectations(kind="fault", files=task.expected.get("files", []),
                                    symbols=task.expected.get("symbols", []),
                                    faults=[Fault(kind=FAULT_KINDS[index % len(FAULT_KINDS)],
                                                  after=1)])
    return task.model_copy(update={
        "instance_id": f"{task.instance_id}-fault",
        "expected": expected.model_dump(exclude_defaults=True)})


def as_kind(task: Task, kind: str) -> Task:
    """``task`` (a bug-fix case) marked as a recovery case of ``kind``."""
    expected = RecoveryExpectations(kind=kind, files=task.expected.get("files", []),
                                    symbols=task.expected.get("symbols", []))
    return task.model_copy(update={"expected": expected.model_dump(exclude_defaults=True)})


def computed_side(traceback: str) -> str | None:
    """Which side of the failing ``assert L == R`` the code computes ('left' or 'right'):
    the one with a call in it, read from the statement pytest's traceback shows; None when
    both or neither have one."""
    shown = [line[1:].strip() for line in traceback.splitlines() if line.startswith(">")]
    statement = next((line for line in reversed(shown) if line.startswith("assert ")), "")
    try:
        tree = ast.parse(statement)
    except SyntaxError:
        return None
    test = tree.body[0].test if tree.body and isinstance(tree.body[0], ast.Assert) else None
    if not (isinstance(test, ast.Compare) and len(test.ops) == 1
            and isinstance(test.ops[0], ast.Eq)):
        return None
    calls = [any(isinstance(node, ast.Call) for node in ast.walk(side))
             for side in (test.left, test.comparators[0])]
    return {(True, False): "left", (False, True): "right"}.get((calls[0], calls[1]))


def conflicting_assertion(messages: Mapping[str, str], tracebacks: Mapping[str, str],
                          ) -> tuple[str, str, str] | None:
    """(test, what the code gave with the bug, what the test wants) of the first failing
    test, in sorted order, that failed one ``assert L == R`` with one computed side and
    whole values; None when none did."""
    for test in sorted(messages):
        first = " ".join(messages[test].split("\n", 1)[0].split())
        found = _EQUALITY.match(first)
        side = computed_side(tracebacks.get(test, ""))
        if not found or side is None or _CUT.search(first):
            continue
        left, right = found.group(1), found.group(2)
        if left != right:
            return (test, left, right) if side == "left" else (test, right, left)
    return None


def unsolvable_task(task: Task, messages: Mapping[str, str], tracebacks: Mapping[str, str],
                    secrets: Sequence[str], isolation: Isolation,
                    environment: EnvSpec) -> Task | None:
    """The clean project of ``task`` and a request its tests rule out; None when no failing
    test's message is a usable equality assertion (``conflicting_assertion``)."""
    conflict = conflicting_assertion(messages, tracebacks)
    if conflict is None or not isinstance(task.repo_source, PypiSource):
        return None
    test, given, wanted = conflict
    source = task.repo_source.model_copy(update={"base_patch": "", "delete": []})
    with LocalSandbox(source, isolation=isolation, environment=environment) as base:
        base_commit = base.base_commit
    statement = request_statement(task, test, given, wanted, secrets)
    digest = hashlib.sha256(f"{task.instance_id}:unsolvable".encode()).hexdigest()[:8]
    expected = RecoveryExpectations(kind="unsolvable", files=task.expected.get("files", []),
                                    conflict=[test])
    return task.model_copy(update={
        "instance_id": f"{task.instance_id.rsplit('-', 1)[0]}-{digest}-unsolvable",
        "grader": "escalation", "repo_source": source, "base_commit": base_commit,
        "problem_statement": statement, "patch": "", "test_patch": "", "FAIL_TO_PASS": [],
        "PASS_TO_PASS": [], "difficulty": "medium",
        "expected": expected.model_dump(exclude_defaults=True)})


def request_statement(task: Task, test: str, value: str, instead: str,
                      secrets: Sequence[str]) -> str:
    """A feature request: where ``test`` exercises the code, give ``value``, not ``instead``."""
    project = task.repo.split("/", 1)[-1]
    return "\n".join([
        f"Feature request for {project}: in the situation the check "
        f"`{describe_test(test)}` exercises, we need the result to be "
        f"`{scrub(value, secrets)}` rather than `{scrub(instead, secrets)}`.", "",
        "Please change the code so that it behaves this way. Every existing test must keep "
        "passing, and the tests must not be changed.", ""])


def solvable_request(task: Task, messages: Mapping[str, str], tracebacks: Mapping[str, str],
                     secrets: Sequence[str]) -> Task | None:
    """The bug-fix case ``task`` asked for as an unsolvable case's twin would be: the value
    the test wants instead of the one the bug gives (``conflicting_assertion``)."""
    conflict = conflicting_assertion(messages, tracebacks)
    if conflict is None:
        return None
    test, given, wanted = conflict
    expected = RecoveryExpectations(kind="request", files=task.expected.get("files", []),
                                    symbols=task.expected.get("symbols", []))
    return task.model_copy(update={
        "instance_id": f"{task.instance_id}-request",
        "problem_statement": request_statement(task, test, wanted, given, secrets),
        "expected": expected.model_dump(exclude_defaults=True)})
