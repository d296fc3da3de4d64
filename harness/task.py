"""Tasks: one benchmark case, a superset of the SWE-bench row.

What a case means beyond the SWE-bench columns belongs to its capability
(``harness.capabilities``): the grader named by ``grader``, the expectations in
``expected`` (read typed with ``Task.expectations``). Banks of tasks are read by
``harness.bank``.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from harness.errors import TaskFieldError

DEFAULT_TEST_COMMAND = "python -m pytest -p no:cacheprovider -p no:harness"


_DELETE = "files removed from the base state after the patch (tests the test_patch restores)"
_ANSWER = "the exact set of code locations a final answer must name (the answer grader's target)"
_ASSETS = ("SWE-bench Multimodal: files a patch's text cannot carry and the issue's images, by "
           "column ({'test_patch': [{'path': ..., 'url': ...}], 'problem_statement': "
           "[{'url': ...}]})")
_GRADER = ("which of its capability's graders decides the case: 'tests' (hidden tests), "
           "'answer' (the final answer's locations), ...")
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


Expectations = TypeVar("Expectations", bound=BaseModel)


class Task(BaseModel):
    """One case. The SWE-bench columns keep their names; the rest say how to run it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    instance_id: str = Field(min_length=1, description="unique id, also the pytest test id")
    repo: str = Field(min_length=1, description="project name (owner/name for GitHub projects)")
    base_commit: str = Field(default="", description="commit of the base state, if known")
    problem_statement: str = Field(min_length=1, description="the issue the model sees")
    patch: str = Field(description="gold patch (hidden from the policy); the grader says "
                                   "whether it may be empty")
    test_patch: str = Field(description="hidden tests (hidden from the policy); the grader "
                                        "says whether they may be empty")
    FAIL_TO_PASS: list[str] = Field(description="test ids the fix must make pass")
    PASS_TO_PASS: list[str] = Field(default_factory=list, description="test ids that must pass")
    version: str = ""
    environment_setup_commit: str = ""
    hints_text: str = ""
    created_at: str = ""
    capability: str = Field(min_length=1, description="navigation, planning, recovery, ...")
    source: str = Field(min_length=1, description="where the case came from (fixture, swe-bench)")
    repo_source: RepoSource
    setup_commands: list[str] = Field(default_factory=list, description="shell commands that "
                                      "finish the project's environment (after its packages)")
    python_packages: list[str] = Field(default_factory=list, description="pip requirements the "
                                       "project's tests need besides pytest and coverage")
    test_command: str = Field(default=DEFAULT_TEST_COMMAND, description="runs the test suite")
    expected: dict[str, Any] = Field(
        default_factory=dict, description="what the capability expects of a solver (navigation: "
        "the files and symbols to find), checked against its expectations model")
    image: str = Field(default="", description="prebuilt image of the base state (SWE-bench 5.x)")
    eval_script: str = Field(default="", description="SWE-bench 5.x script that runs the tests")
    log_parser: str = Field(default="", description="SWE-bench 5.x name of the log parser")
    eval_type: str = Field(default="", description="SWE-bench 5.x evaluation type")
    difficulty: str = Field(default="", description="SWE-bench Verified difficulty bucket")
    image_assets: dict[str, list[dict[str, str]]] = Field(
        default_factory=dict, description=_ASSETS)
    expected_answer: list[str] = Field(default_factory=list, description=_ANSWER)
    grader: str = Field(default="tests", min_length=1, description=_GRADER)

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

    def expectations(self, model: type[Expectations]) -> Expectations:
        """``expected`` read as a capability's expectations model; ``TaskFieldError`` names
        the first field that does not fit."""
        try:
            return model.model_validate(self.expected)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(["expected", *(str(part) for part in first["loc"])])
            raise TaskFieldError(where, first["msg"]) from exc


def required_fields(task: Task, fields: tuple[str, ...], why: str) -> None:
    """Raise ``TaskFieldError`` for the first of ``fields`` that is empty in ``task``."""
    for field in fields:
        if not getattr(task, field):
            raise TaskFieldError(field, f"must not be empty: {why}")
