"""Tasks: one benchmark case, a superset of the SWE-bench row, and task banks (JSONL)."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from harness.errors import BankError
from harness.json_object import NotAJsonObject, json_object

DEFAULT_TEST_COMMAND = "python -m pytest -p no:cacheprovider -p no:harness"


_DELETE = "files removed from the base state after the patch (tests the test_patch restores)"
_ANSWER = ("when set, the case is graded on the final answer (exact set of code locations), "
           "not by tests")
_LOCATION = re.compile(r"[\w.][\w.-]*(?:/[\w.-]+)*\.py::[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")


class PathSource(BaseModel):
    """A directory on disk (a relative path is relative to the bank file)."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["path"] = Field(description="'path': a directory on disk")
    path: str = Field(description="the directory holding the project's source tree")
    base_patch: str = Field(
        default="",
        description="a patch applied to the source to make the base state (an injected bug)",
    )
    delete: list[str] = Field(default_factory=list, description=_DELETE)


class GitSource(BaseModel):
    """A git repository at one commit; only that commit's tree is used, never its history."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["git"] = Field(description="'git': a repository URL (or local path) at a commit")
    url: str = Field(min_length=1, description="what `git clone` accepts")
    commit: str = Field(pattern=r"^[0-9a-f]{40}$", description="full commit sha of the tree")
    base_patch: str = Field(default="", description="applied on top of the commit's tree")
    delete: list[str] = Field(default_factory=list, description=_DELETE)


class PypiSource(BaseModel):
    """A source distribution from PyPI, downloaded once and pinned by its sha256."""

    model_config = ConfigDict(extra="forbid")

    kind: Literal["pypi"] = Field(description="'pypi': an sdist by name and version")
    name: str = Field(min_length=1, description="the PyPI project name")
    version: str = Field(min_length=1, description="the exact release")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the sdist file")
    base_patch: str = Field(default="", description="applied on top of the unpacked sdist")
    delete: list[str] = Field(default_factory=list, description=_DELETE)


RepoSource = Annotated[PathSource | GitSource | PypiSource, Field(discriminator="kind")]


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
    patch: str = Field(description="gold patch (hidden from the policy); "
                                   "may be empty only when expected_answer is set")
    test_patch: str = Field(description="hidden tests (hidden from the policy); "
                                        "may be empty only when expected_answer is set")
    FAIL_TO_PASS: list[str] = Field(description="test ids the fix must make pass; "
                                                "may be empty only when expected_answer is set")
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
    image: str = Field(default="", description="prebuilt image of the base state (SWE-bench 5.x)")
    eval_script: str = Field(default="", description="SWE-bench 5.x script that runs the tests")
    log_parser: str = Field(default="", description="SWE-bench 5.x name of the log parser")
    eval_type: str = Field(default="", description="SWE-bench 5.x evaluation type")
    difficulty: str = Field(default="", description="SWE-bench Verified difficulty bucket")
    expected_answer: list[str] = Field(default_factory=list, description=_ANSWER)

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

    @field_validator("expected_answer")
    @classmethod
    def _locations(cls, value: list[str]) -> list[str]:
        """Each expected answer is one location ``path/to/file.py::Qualified.name``."""
        for text in value:
            path = text.partition("::")[0]
            if not _LOCATION.fullmatch(text) or {".", ".."} & set(path.split("/")):
                raise ValueError(f"locations written path/to/file.py::Qualified.name, "
                                 f"got {text!r}")
        return value

    @model_validator(mode="after")
    def _tests_unless_answer(self) -> Task:
        """A test-graded case (no ``expected_answer``) needs its patches and FAIL_TO_PASS;
        the error is located at the empty field, so loaders name it."""
        for field, unit in (("patch", "character"), ("test_patch", "character"),
                            ("FAIL_TO_PASS", "item")):
            if not self.expected_answer and not getattr(self, field):
                error = PydanticCustomError(
                    "too_short", "{field} should have at least 1 {unit} in a test-graded case "
                    "(one without expected_answer)", {"field": field, "unit": unit})
                raise ValidationError.from_exception_data("Task", [InitErrorDetails(
                    type=error, loc=(field,), input=getattr(self, field))])
        return self


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
        row = json_object(line)
    except NotAJsonObject as exc:
        raise BankError(str(path), number, "<row>", str(exc)) from exc
    try:
        return Task.model_validate(row)
    except ValidationError as exc:
        first = exc.errors()[0]
        raise BankError(str(path), number, _field_name(first["loc"]), first["msg"]) from exc


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
