"""Small facts about unified diffs: which files they touch, which paths are tests."""

from __future__ import annotations

import re
from pathlib import PurePosixPath

_DIFF_HEADER = re.compile(r"^diff --git a/(\S+) b/(\S+)$", re.MULTILINE)
_TEST_DIRS = {"test", "tests", "testing"}


def touched_files(patch: str) -> list[str]:
    """Every path a git-format patch touches (old and new names), in order, once each."""
    seen: dict[str, None] = {}
    for match in _DIFF_HEADER.finditer(patch):
        seen.setdefault(match.group(1))
        seen.setdefault(match.group(2))
    return list(seen)


def is_test_path(path: str) -> bool:
    """Files the grader restores before applying hidden tests: tests and their configuration."""
    pure = PurePosixPath(path)
    name = pure.name
    return (
        any(part in _TEST_DIRS for part in pure.parts[:-1])
        or name.startswith("test_") or name.endswith("_test.py")
        or name in ("conftest.py", "pytest.ini", "tox.ini")
    )


def test_files_of(test_ids: list[str]) -> list[str]:
    """The files named by pytest node ids, in first-seen order."""
    return list(dict.fromkeys(test_id.split("::", 1)[0] for test_id in test_ids))
