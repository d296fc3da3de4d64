"""Small facts about unified diffs: which files they touch, the lines they add, which paths
are tests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

_HEADER = "diff --git "
_RENAME = re.compile(r"^(?:rename|copy) (?:from|to) (.+)$")
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"')
_TEST_DIRS = {"test", "tests", "testing"}
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@")
_OLD_HUNK = re.compile(r"^@@ -(\d+)(?:,\d+)? \+\d+(?:,\d+)? @@")


@dataclass
class FileDiff:
    """One file's part of a git patch: its (new) path and its lines after the header."""

    path: str
    lines: list[str] = field(default_factory=list)
    old_path: str = ""
    """The path before the patch (the same as ``path`` unless renamed or added)."""

    def added_lines(self) -> Iterator[tuple[int, str]]:
        """(line number in the new file, text) of every added line."""
        yield from self._hunk_lines(_HUNK, "+")

    def removed_lines(self) -> Iterator[tuple[int, str]]:
        """(line number in the old file, text) of every removed line."""
        yield from self._hunk_lines(_OLD_HUNK, "-")

    def _hunk_lines(self, hunk: re.Pattern[str], sign: str) -> Iterator[tuple[int, str]]:
        number, in_hunk = 0, False
        for line in self.lines:
            if match := hunk.match(line):
                number, in_hunk = int(match.group(1)), True
            elif in_hunk and line.startswith(sign):
                yield number, line[1:]
                number += 1
            elif in_hunk and line.startswith(" "):
                number += 1


def file_diffs(patch: str) -> list[FileDiff]:
    """The patch split at each ``diff --git`` header (text before the first is dropped)."""
    diffs: list[FileDiff] = []
    for line in patch.splitlines():
        if line.startswith(_HEADER):
            paths = _header_paths(line[len(_HEADER):])
            diffs.append(FileDiff(paths[-1], old_path=paths[0]))
        elif diffs:
            diffs[-1].lines.append(line)
    return diffs


def touched_files(patch: str) -> list[str]:
    """Every path a git-format patch touches (old and new names), in order, once each."""
    seen: dict[str, None] = {}
    for line in patch.splitlines():
        if line.startswith(_HEADER):
            for path in _header_paths(line[len(_HEADER):]):
                seen.setdefault(path)
        elif match := _RENAME.match(line):
            seen.setdefault(_unquote(match.group(1)))
    return list(seen)


def _header_paths(rest: str) -> list[str]:
    """The paths of ``a/OLD b/NEW``, quoted (C-style) or not; unquoted ones may hold spaces."""
    quoted = _QUOTED.findall(rest)
    if quoted:
        return [_strip_prefix(_unquote(f'"{q}"')) for q in quoted]
    half = (len(rest) - 1) // 2
    old, new = rest[:half], rest[half + 1:]
    if rest[half] == " " and old[2:] == new[2:]:
        return [_strip_prefix(old)]
    old, _, new = rest.partition(" b/")
    return [_strip_prefix(old), new]


def _strip_prefix(path: str) -> str:
    return path[2:] if path[:2] in ("a/", "b/") else path


def _unquote(path: str) -> str:
    """Undo git's C-style quoting of paths with special or non-ASCII bytes."""
    if not (path.startswith('"') and path.endswith('"')):
        return path
    raw = path[1:-1].encode("latin-1", "backslashreplace")
    return raw.decode("unicode_escape").encode("latin-1").decode("utf-8", "replace")


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
