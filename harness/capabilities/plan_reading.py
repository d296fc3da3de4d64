"""An episode read as plans and actions: what the planning scorer measures.

A **plan** is a numbered list in an assistant message (any channel): at least two
consecutive lines ``1.``/``1)``, ``2.``, ... starting at 1. A plan **step** names what it
is about with file paths (``pkg/mod.py``) and code names (in backticks, dotted, or with an
underscore); a step that speaks of tests (test, verify, check, pytest) is about running
them. An **action** is one tool call, with the paths and names its arguments are about
(for ``apply_patch``, the files the patch touches and the functions its hunks are in) and
whether it was a test run that failed.

A step is **matched** by a later action about one of the things it names, a file by its
path, its name or its dotted module, a code name by its full or last dotted part; a test
step by a later ``run_tests``.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable
from dataclasses import dataclass

from harness.grading.patches import touched_files
from harness.trajectory import Trajectory

EDIT_TOOLS = frozenset({"apply_patch"})
TEST_TOOLS = frozenset({"run_tests", "run_single_test", "run_tests_with_coverage"})

_NUMBERED = re.compile(r"^\s*(?:[-*]\s+)?(\d{1,3})[.)]\s+(\S.*?)\s*$")
_PATH = re.compile(r"(?<![\w/.-])((?:[\w.-]+/)*[\w.-]+\.py)\b")
_BACKTICKED = re.compile(r"`([^`\n]+)`")
_NAME = re.compile(r"\b([A-Za-z_]\w*(?:\.[A-Za-z_]\w*)+|[A-Za-z]\w*_\w*|_\w+)\b")
_TESTING = re.compile(r"\b(tests?|verify|check|pytest)\b", re.IGNORECASE)
_HUNK_NAME = re.compile(r"^(?:@@[^@]*@@\s*|[+ -]\s*)(?:async\s+)?(?:def|class)\s+(\w+)",
                        re.MULTILINE)
_PASSED = re.compile(r"^\[exit code 0\]$", re.MULTILINE)


@dataclass(frozen=True)
class Plan:
    """A numbered plan, its steps' texts in order."""

    steps: tuple[str, ...]


@dataclass(frozen=True)
class Action:
    """One tool call: the tool, what it is about, whether it was a failed test run."""

    tool: str
    subjects: frozenset[str]
    failed_test: bool = False


Event = Plan | Action


def plan_steps(text: str) -> tuple[str, ...]:
    """The first numbered plan in ``text`` (see the module docstring); () when none."""
    steps: list[str] = []
    for line in text.splitlines():
        found = _NUMBERED.match(line)
        if found and int(found.group(1)) == len(steps) + 1:
            steps.append(found.group(2))
        elif found and int(found.group(1)) == 1:
            if len(steps) >= 2:
                break
            steps = [found.group(2)]
        elif steps and line.strip() and not line.startswith((" ", "\t")):
            if len(steps) >= 2:
                break
            steps = []
    return tuple(steps) if len(steps) >= 2 else ()


def step_targets(step: str) -> frozenset[str]:
    """The paths and code names a plan step mentions."""
    found = set(_PATH.findall(step))
    for quoted in _BACKTICKED.findall(step):
        found.update(part.strip("()[]:,") for part in quoted.split())
    found.update(name for name in _NAME.findall(step) if not name.endswith(".py"))
    return frozenset(target for target in found if target and not target.isdigit())


def is_test_step(step: str) -> bool:
    """Whether a step is about running or writing tests."""
    return bool(_TESTING.search(step))


def forms(thing: str) -> frozenset[str]:
    """What a path or dotted name can be called: ``src/pkg/mod.py`` -> the path, ``mod.py``,
    ``pkg.mod``, ``mod``; ``pkg.mod.func`` -> itself and ``func``."""
    thing = thing.strip().strip("`'\"").removeprefix("./")
    if not thing:
        return frozenset()
    if thing.endswith(".py"):
        path = posixpath.normpath(thing)
        parts = path[:-3].split("/")
        if parts[0] in ("src", "lib") and len(parts) > 1:
            parts = parts[1:]
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        return frozenset({path, posixpath.basename(path), ".".join(parts), parts[-1]})
    name = thing.removesuffix("()")
    return frozenset({name, name.rsplit(".", 1)[-1]})


def names(step: str, thing: str) -> bool:
    """Whether ``step`` mentions ``thing`` (a path or a name) in any of its forms."""
    wanted = forms(thing)
    return any(forms(target) & wanted for target in step_targets(step))


def step_matched(step: str, actions: Iterable[Action]) -> bool:
    """Whether one of ``actions`` carries ``step`` out (see the module docstring)."""
    testing = is_test_step(step)
    targets = [forms(target) for target in step_targets(step)]
    for action in actions:
        if testing and action.tool in TEST_TOOLS:
            return True
        subjects = frozenset().union(*(forms(subject) for subject in action.subjects))
        if any(target & subjects for target in targets):
            return True
    return False


def _subjects(tool: str, arguments: dict[str, object]) -> frozenset[str]:
    found: set[str] = set()
    for key, value in arguments.items():
        if key == "patch" and isinstance(value, str):
            found.update(touched_files(value))
            found.update(_HUNK_NAME.findall(value))
        elif isinstance(value, str) and key in ("path", "name", "pattern", "paths", "file"):
            found.add(value)
        elif isinstance(value, list):
            found.update(str(item) for item in value if isinstance(item, str))
    return frozenset(thing for thing in found if thing and thing != ".")


def episode_events(trajectory: Trajectory) -> list[Event]:
    """The plans and actions of an episode, in the order they happened."""
    events: list[Event] = []
    pending: list[tuple[int, str]] = []  # (index in events, call id) of unanswered calls
    for message in trajectory.messages:
        if message.role == "assistant":
            steps = plan_steps(message.content)
            if steps:
                events.append(Plan(steps))
            for call in message.tool_calls:
                pending.append((len(events), call.call_id))
                events.append(Action(call.name, _subjects(call.name, call.arguments)))
        elif message.role == "tool":
            slot = next((i for i, (_, call_id) in enumerate(pending)
                         if call_id == message.call_id), 0 if pending else None)
            if slot is None:
                continue
            index, _ = pending.pop(slot)
            action = events[index]
            if isinstance(action, Action) and action.tool in TEST_TOOLS:
                failed = not _PASSED.search(message.content)
                events[index] = Action(action.tool, action.subjects, failed)
    return events

