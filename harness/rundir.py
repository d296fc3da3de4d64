"""Run directories: ``meta.json``, ``plan.json``, append-only ``results.jsonl``,
``trajectories/``, ``gate.json`` (the models are in ``harness.run_records``).

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
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from harness.errors import RunDirError
from harness.results import CaseResult
from harness.run_records import GateRecord, RunMeta, RunPlan
from harness.storable import dump_json
from harness.trajectory import Trajectory

Record = TypeVar("Record", bound=BaseModel)


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

    @property
    def plan_path(self) -> Path:
        return self.path / "plan.json"

    @property
    def gate_path(self) -> Path:
        return self.path / "gate.json"

    def create(self, meta: RunMeta) -> bool:
        """Create the directory and write ``meta.json`` unless it exists; True if written now.

        Several workers race here: the file is written whole under a temporary name and
        then hard-linked into place, so a loser never reads a half-written ``meta.json``.
        """
        (self.path / "trajectories").mkdir(parents=True, exist_ok=True)
        temporary = self.meta_path.with_name(f".meta.json.{os.getpid()}.tmp")
        temporary.write_text(dump_json(meta, indent=2), encoding="utf-8")
        try:
            os.link(temporary, self.meta_path)
        except FileExistsError:
            return False
        finally:
            temporary.unlink()
        return True

    def exists(self) -> bool:
        return self.meta_path.is_file()

    def meta(self) -> RunMeta:
        if not self.meta_path.is_file():
            raise RunDirError(f"{self.path} is not a run directory (no meta.json)")
        return self._read(self.meta_path, RunMeta, "use another --run-dir")

    def write_plan(self, plan: RunPlan) -> None:
        """Every worker collects the same cases: the last whole write wins."""
        self._write(self.plan_path, plan)

    def plan(self) -> RunPlan | None:
        return self._read(self.plan_path, RunPlan, "") if self.plan_path.is_file() else None

    def write_gate(self, record: GateRecord) -> None:
        self._write(self.gate_path, record)

    def gate(self) -> GateRecord | None:
        return self._read(self.gate_path, GateRecord, "") if self.gate_path.is_file() else None

    def _write(self, target: Path, record: BaseModel) -> None:
        """Write a JSON file atomically (temporary file, then rename)."""
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_text(dump_json(record, indent=2), encoding="utf-8")
        temporary.replace(target)

    def _read(self, path: Path, model: type[Record], advice: str) -> Record:
        try:
            return model.model_validate_json(path.read_text(encoding="utf-8"))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(map(str, first["loc"])) or "<file>"
            raise RunDirError(f"{path}: unreadable {model.__name__} (field {where!r}: "
                              f"{first['msg']})" + (f"; {advice}" if advice else "")) from exc

    def append_result(self, result: CaseResult) -> None:
        """Append one row; a torn row left by a killed writer is cut off first."""
        line = (dump_json(result) + "\n").encode("utf-8")
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

    def trajectory_path(self, instance_id: str, epoch: int) -> str:
        """Where a case's trajectory lives, relative to the run directory."""
        suffix = f"@{epoch}" if epoch > 1 else ""
        return f"trajectories/{instance_id}{suffix}.json"

    def write_trajectory(self, trajectory: Trajectory, epoch: int) -> str:
        """Store a trajectory (whole, atomically); returns its path relative to the run dir."""
        relative = self.trajectory_path(trajectory.instance_id, epoch)
        target = self.path / relative
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_text(dump_json(trajectory, indent=1), encoding="utf-8")
        temporary.replace(target)
        return relative

    def instance_report_path(self, instance_id: str, epoch: int) -> str:
        """Where a case's official ``report.json`` lives (SWE-bench's per-instance layout:
        one directory per instance), relative to the run directory."""
        suffix = f"@{epoch}" if epoch > 1 else ""
        return f"reports/{instance_id}{suffix}/report.json"

    def write_instance_report(self, instance_id: str, epoch: int,
                              report: dict[str, object]) -> str:
        """Store the official per-instance report as the SWE-bench harness writes it
        (``{instance_id: report}``), atomically; returns its path relative to the run dir."""
        relative = self.instance_report_path(instance_id, epoch)
        target = self.path / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
        temporary.write_text(json.dumps({instance_id: report}, indent=4), encoding="utf-8")
        temporary.replace(target)
        return relative

    def set_aside_trajectory(self, instance_id: str, epoch: int, attempt: int) -> None:
        """Keep the partial trajectory of a failed attempt as ``<id>.attempt-N.json``."""
        current = self.path / self.trajectory_path(instance_id, epoch)
        if current.is_file():
            current.replace(current.with_name(f"{current.stem}.attempt-{attempt}.json"))
