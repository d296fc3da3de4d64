"""Run directories: ``meta.json``, append-only ``results.jsonl``, ``trajectories/``.

``results.jsonl`` is written by several pytest-xdist workers at once: each row
is one ``write`` of one line under an exclusive ``flock`` and is fsynced, so a
worker killed at any point leaves at most a torn last line, which readers skip.
"""

from __future__ import annotations

import fcntl
import json
import os
import warnings
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.errors import RunDirError
from harness.json_object import NotAJsonObject, json_object
from harness.results import CaseResult
from harness.trajectory import Trajectory


def _cut_torn_tail(fd: int) -> None:
    """Truncate the file after its last newline (the caller holds the lock)."""
    size = os.fstat(fd).st_size
    end = size
    while end > 0:
        start = max(0, end - 65536)
        chunk = os.pread(fd, end - start, start)
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            end = start + newline + 1
            break
        end = start
    if end != size:
        os.ftruncate(fd, end)


class RunDir:
    """One run's directory on disk."""

    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def results_path(self) -> Path:
        return self.path / "results.jsonl"

    @property
    def meta_path(self) -> Path:
        return self.path / "meta.json"

    def create(self, meta: dict[str, Any]) -> bool:
        """Create the directory and write ``meta.json`` unless it exists; True if written now.

        Several workers race here: the file is written whole under a temporary name and
        then hard-linked into place, so a loser never reads a half-written ``meta.json``.
        """
        (self.path / "trajectories").mkdir(parents=True, exist_ok=True)
        temporary = self.meta_path.with_name(f".meta.json.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(meta, indent=2, sort_keys=True), encoding="utf-8")
        try:
            os.link(temporary, self.meta_path)
        except FileExistsError:
            return False
        finally:
            temporary.unlink()
        return True

    def meta(self) -> dict[str, Any]:
        if not self.meta_path.is_file():
            raise RunDirError(f"{self.path} is not a run directory (no meta.json)")
        try:
            return json_object(self.meta_path.read_text(encoding="utf-8"))
        except NotAJsonObject as exc:
            raise RunDirError(f"{self.meta_path}:{exc.line}: unreadable run metadata ({exc}); "
                              "use another --run-dir") from exc

    def write_json(self, name: str, data: dict[str, Any]) -> None:
        """Write a JSON file atomically (temporary file, then rename)."""
        target = self.path / name
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
        temporary.replace(target)

    def append_result(self, result: CaseResult) -> None:
        """Append one row; a torn row left by a killed writer is cut off first."""
        line = (result.model_dump_json() + "\n").encode("utf-8")
        fd = os.open(self.results_path, os.O_RDWR | os.O_APPEND | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            _cut_torn_tail(fd)
            os.write(fd, line)
            os.fsync(fd)
        finally:
            os.close(fd)

    def results(self) -> list[CaseResult]:
        """Every row, in order; a torn final line (a killed writer) is skipped with a warning."""
        if not self.results_path.is_file():
            return []
        lines = self.results_path.read_text(encoding="utf-8").split("\n")
        rows: list[CaseResult] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                rows.append(CaseResult.model_validate_json(line))
            except ValidationError as exc:
                if number == len(lines) or (number == len(lines) - 1 and not lines[-1]):
                    warnings.warn(f"{self.results_path}:{number}: skipping a torn last row",
                                  stacklevel=2)
                    continue
                raise RunDirError(f"{self.results_path}:{number}: unreadable row: {exc}") from exc
        return rows

    def latest(self) -> dict[tuple[str, int], CaseResult]:
        """The last row of each (instance_id, epoch), a final verdict winning over errors."""
        latest: dict[tuple[str, int], CaseResult] = {}
        for row in self.results():
            previous = latest.get(row.key)
            if previous is None or row.is_final or not previous.is_final:
                latest[row.key] = row
        return latest

    def write_trajectory(self, trajectory: Trajectory, epoch: int) -> str:
        """Store a trajectory; returns its path relative to the run directory."""
        suffix = f"@{epoch}" if epoch > 1 else ""
        relative = f"trajectories/{trajectory.instance_id}{suffix}.json"
        target = self.path / relative
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_text(trajectory.model_dump_json(indent=1), encoding="utf-8")
        temporary.replace(target)
        return relative
