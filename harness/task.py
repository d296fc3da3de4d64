"""Tasks: one benchmark case, a superset of the SWE-bench row, and task banks (JSONL)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harness.errors import BankError

DEFAULT_TEST_COMMAND = "python -m pytest -p no:cacheprovider -p no:harness"


class RepoSource(BaseModel):
    """Where the repository comes from and how its base state is made."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["path"] = Field(description="'path': a directory on disk (relative to the bank)")
    path: str = Field(description="the directory holding the project's source tree")
    base_patch: str = Field(
        default="",
        description="a patch applied to the source to make the base state (an injected bug)",
    )


class NavigationExpectations(BaseModel):
    """What a solver of a navigation case has to find."""

    model_config = ConfigDict(extra="forbid")

    files: list[str] = Field(default_factory=list, description="files the fix edits")
    symbols: list[str] = Field(default_factory=list, description="dotted names the fix edits")


class Task(BaseModel):
    """One case. The SWE-bench columns keep their names; the rest say how to run it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instance_id: str = Field(min_length=1, description="unique id, also the pytest test id")
    repo: str = Field(min_length=1, description="project name (owner/name for GitHub projects)")
    base_commit: str = Field(default="", description="commit of the base state, if known")
    problem_statement: str = Field(min_length=1, description="the issue the model sees")
    patch: str = Field(min_length=1, description="gold patch (hidden from the policy)")
    test_patch: str = Field(min_length=1, description="hidden tests (hidden from the policy)")
    FAIL_TO_PASS: list[str] = Field(min_length=1, description="test ids the fix must make pass")
    PASS_TO_PASS: list[str] = Field(default_factory=list, description="test ids that must pass")
    version: str = ""
    environment_setup_commit: str = ""
    hints_text: str = ""
    created_at: str = ""
    capability: str = Field(min_length=1, description="navigation, planning, recovery, ...")
    source: str = Field(min_length=1, description="where the case came from (fixture, swe-bench)")
    repo_source: RepoSource
    setup_commands: list[str] = Field(default_factory=list)
    test_command: str = Field(default=DEFAULT_TEST_COMMAND, description="runs the test suite")
    expected: NavigationExpectations = Field(default_factory=NavigationExpectations)

    @field_validator("FAIL_TO_PASS", "PASS_TO_PASS", mode="before")
    @classmethod
    def _json_list(cls, value: Any) -> Any:
        """SWE-bench files store the test lists as JSON strings; accept both forms."""
        if isinstance(value, str):
            try:
                return json.loads(value)
            except json.JSONDecodeError as exc:
                raise ValueError(f"a JSON list of test ids, got unparsable text: {exc}") from exc
        return value


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
        tasks.append(_with_absolute_source(task, path))
    if not tasks:
        raise BankError(str(path), 1, "<file>", "at least one task row")
    return Bank(path=path, sha256=hashlib.sha256(raw).hexdigest(), tasks=tasks)


def parse_row(line: str, path: Path, number: int) -> Task:
    """Parse one JSONL line into a Task, translating every failure into a ``BankError``."""
    try:
        row = json.loads(line)
    except json.JSONDecodeError as exc:
        raise BankError(str(path), number, "<row>", f"a JSON object ({exc.msg})") from exc
    if not isinstance(row, dict):
        raise BankError(str(path), number, "<row>", f"a JSON object, got {type(row).__name__}")
    try:
        return Task.model_validate(row)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "<row>"
        raise BankError(str(path), number, field, first["msg"]) from exc


def _with_absolute_source(task: Task, bank_path: Path) -> Task:
    """Make a relative ``repo_source.path`` absolute (relative paths are to the bank file)."""
    source = Path(task.repo_source.path)
    if source.is_absolute():
        return task
    absolute = str((bank_path.parent / source).resolve())
    source_copy = task.repo_source.model_copy(update={"path": absolute})
    return task.model_copy(update={"repo_source": source_copy})
