"""Task banks: JSONL files of tasks, each row checked against its capability as it loads.

A row must be a valid ``Task``, name a registered capability, and hold what that
capability and the grader it names need (``Capability.check``). Whatever is
wrong is reported as a ``BankError`` with the file, the line and the field.
"""

from __future__ import annotations

import hashlib
from fnmatch import fnmatch
from pathlib import Path

from pydantic import BaseModel, ValidationError

from harness.capabilities import get_capability
from harness.errors import BankError, ConfigError, TaskFieldError
from harness.json_object import NotAJsonObject, json_object
from harness.task import PathSource, Task


class Bank(BaseModel):
    """A loaded task bank: its tasks, where it lives and a content hash for run metadata."""

    path: Path
    sha256: str
    tasks: list[Task]

    def by_id(self) -> dict[str, Task]:
        return {task.instance_id: task for task in self.tasks}


def load_bank(path: Path) -> Bank:
    """Read a JSONL bank; a bad row raises ``BankError`` naming file, line and field."""
    raw = path.read_bytes()
    tasks: list[Task] = []
    seen: dict[str, int] = {}
    # Only "\n" ends a row: str.splitlines() would also split on U+2028 inside strings.
    for number, line in enumerate(raw.decode("utf-8").split("\n"), start=1):
        if not line.strip():
            continue
        task = parse_row(line, path, number)
        if task.instance_id in seen:
            raise BankError(
                str(path), number, "instance_id",
                f"a unique id; {task.instance_id!r} is already on line {seen[task.instance_id]}",
            )
        seen[task.instance_id] = number
        check_capability(task, str(path), number)
        tasks.append(_with_absolute_source(task, path))
    if not tasks:
        raise BankError(str(path), 1, "<file>", "at least one task row")
    return Bank(path=path, sha256=hashlib.sha256(raw).hexdigest(), tasks=tasks)


def is_harness_bank(source: str) -> bool:
    """Whether ``source`` is one of the harness's JSONL banks (its first row names a
    capability), not a dataset's rows (SWE-bench-shaped files, ``hf:`` names)."""
    path = Path(source)
    if path.suffix != ".jsonl" or not path.is_file():
        return False
    with path.open("rb") as handle:
        first = next((line for line in handle if line.strip()), b"")
    try:
        return "capability" in json_object(first.decode("utf-8"))
    except (NotAJsonObject, UnicodeDecodeError):
        return True  # a broken harness bank: load_bank says which line and why


def parse_row(line: str, path: Path, number: int) -> Task:
    """Parse one JSONL line into a Task, translating every failure into a ``BankError``."""
    try:
        row = json_object(line)
    except NotAJsonObject as exc:
        raise BankError(str(path), number, "<row>", str(exc)) from exc
    try:
        return Task.model_validate(row)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BankError(str(path), number, _field_name(first["loc"]), first["msg"]) from exc


def check_capability(task: Task, where: str, number: int) -> None:
    """The row's capability is registered and accepts it (grader, expectations); else a
    ``BankError`` at ``where`` (a file), row ``number``."""
    try:
        capability = get_capability(task.capability)
    except ConfigError as exc:
        raise BankError(where, number, "capability", str(exc)) from exc
    try:
        capability.check(task)
    except TaskFieldError as exc:
        raise BankError(where, number, exc.field, exc.expected) from exc


def _field_name(loc: tuple[int | str, ...]) -> str:
    """``repo_source.path`` for a loc; the discriminator tag of ``repo_source`` is left out."""
    parts = [str(part) for part in loc]
    if parts[:1] == ["repo_source"] and len(parts) > 2 and parts[1] in ("path", "git", "pypi"):
        del parts[1]
    return ".".join(parts) or "<row>"


def _with_absolute_source(task: Task, bank_path: Path) -> Task:
    """Make a relative ``repo_source.path`` absolute (relative paths are to the bank file)."""
    if not isinstance(task.repo_source, PathSource):
        return task
    source = Path(task.repo_source.path)
    if source.is_absolute():
        return task
    absolute = str((bank_path.parent / source).resolve())
    source_copy = task.repo_source.model_copy(update={"path": absolute})
    return task.model_copy(update={"repo_source": source_copy})


def read_case_patterns(selector: str | None) -> list[str]:
    """``--cases``: ids or globs separated by commas, or ``@file`` with one per line
    (``#`` starts a comment line); [] selects every case."""
    if not selector:
        return []
    if not selector.startswith("@"):
        return [part.strip() for part in selector.split(",") if part.strip()]
    path = Path(selector[1:])
    if not path.is_file():
        raise ConfigError(f"--cases {selector}: no such file; give @FILE with one instance id "
                          "or glob per line")
    return [line.strip() for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


def select_cases(tasks: list[Task], selector: str | None) -> list[Task]:
    """The tasks ``--cases`` selects (all when it is empty)."""
    patterns = read_case_patterns(selector)
    if not patterns:
        return tasks
    chosen = [t for t in tasks if any(fnmatch(t.instance_id, p) for p in patterns)]
    if not chosen:
        raise ConfigError(f"--cases {selector!r} matches no case of the bank")
    return chosen
