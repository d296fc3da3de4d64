"""Putting paths of the grading sandbox back to their base state, in batches, with git's own
view of what changed (``git diff`` and ``git ls-files``, not a parse of the patch text)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import PurePosixPath

from harness.errors import ToolError
from harness.grading.candidate import SECTIONED_CONFIG, pytest_config, runner_controlled
from harness.grading.patches import is_test_path
from harness.protocols import Sandbox

_GIT = ["git", "--literal-pathspecs", "-c", "core.quotepath=off"]


class PutBackError(Exception):
    """A changed path could not be put back: the candidate's doing (git ran at the base)."""


def _git_lines(sandbox: Sandbox, args: Sequence[str]) -> list[str]:
    result = sandbox.exec([*_GIT, *args], timeout=120, output_limit=8 << 20)
    if not result.ok or result.truncated:
        raise PutBackError(f"git {args[0]} failed: {result.combined().strip()[-300:]}")
    return [path for path in result.stdout.split("\0") if path]


def changed_paths(sandbox: Sandbox) -> list[str]:
    """Every path that differs from the base commit: modified, deleted or new."""
    tracked = _git_lines(sandbox, ["diff", "--name-only", "--no-renames", "-z", "HEAD"])
    new = _git_lines(sandbox, ["ls-files", "--others", "-z"])
    return list(dict.fromkeys([*tracked, *new]))


def paths_at_base(sandbox: Sandbox, paths: Sequence[str]) -> set[str]:
    if not paths:
        return set()
    return set(_git_lines(sandbox, ["ls-tree", "-r", "-z", "--name-only", "HEAD", "--",
                                    *paths]))


def put_back(sandbox: Sandbox, paths: Sequence[str], at_base: set[str]) -> None:
    """Restore ``paths`` as they are at the base commit (removing those it does not hold)."""
    kept = [path for path in paths if path in at_base]
    gone = [path for path in paths if path not in at_base]
    if kept:
        _git_lines(sandbox, ["checkout", "HEAD", "--", *kept])
    if gone:
        result = sandbox.exec(["rm", "-rf", "--", *gone], timeout=120)
        if not result.ok:
            raise PutBackError(f"could not remove {gone[0]!r}: {result.combined()[-300:]}")


def runner_changes(sandbox: Sandbox, changed: Sequence[str], at_base: set[str]) -> list[str]:
    """The changed paths that configure or extend the test runner (see ``candidate``)."""
    found = []
    packages = _packages(sandbox) if changed else set()
    for path in changed:
        sectioned = PurePosixPath(path).name in SECTIONED_CONFIG
        if runner_controlled(path, path in at_base, packages) or (
                sectioned and _pytest_config_changed(sandbox, path, path in at_base)):
            found.append(path)
    return found


def _packages(sandbox: Sandbox) -> set[str]:
    """The directories of the candidate's tree that hold an ``__init__.py`` (tracked or
    not): regular packages, whose modules cannot shadow a top-level one."""
    listed = _git_lines(sandbox, ["ls-files", "--cached", "--others", "-z"])
    return {str(PurePosixPath(path).parent) for path in listed
            if PurePosixPath(path).name == "__init__.py"}


def _pytest_config_changed(sandbox: Sandbox, path: str, at_base: bool) -> bool:
    """Whether the pytest sections of ``path`` differ from the base (or do not parse)."""
    name = PurePosixPath(path).name
    try:
        now = sandbox.read_file(path).decode("utf-8")
    except (ToolError, UnicodeDecodeError):
        return True  # deleted, unreadable or not text: put the base's back
    before = ""
    if at_base:
        result = sandbox.exec([*_GIT, "show", f"HEAD:{path}"], timeout=60,
                              output_limit=4 << 20)
        if not result.ok or result.truncated:
            return True
        before = result.stdout
    try:
        return pytest_config(name, now) != pytest_config(name, before)
    except ValueError:
        return True


def test_changes(changed: Sequence[str]) -> list[str]:
    """The changed paths that are tests (put back so the hidden tests decide alone)."""
    return [path for path in changed if is_test_path(path)]
