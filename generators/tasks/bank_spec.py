"""Bank specs: a TOML file saying which projects a generated bank is made from.

Example (``suites/navigation/pypi.toml``)::

    capability = "navigation"
    seed = 20261201
    output = "pypi.jsonl"            # relative to the spec file

    [[project]]
    name = "inflection"              # a PyPI sdist, pinned by sha256
    version = "0.5.1"
    sha256 = "1a29730d366e996aaacffb2f1f1cb9593dc38e2ddd30c91250c6dde09ea9b417"
    cases = 20                       # single-site bugs
    combined = 2                     # two-file bugs (triples = 1: three-file bugs)
    questions = 0                    # navigation questions graded on the final answer
    code = ["inflection/*.py"]       # where bugs may be injected (globs)

Planning banks also ask for ``signatures`` (a function and its callers changed together)
and ``removals`` (a documented public function removed with its exports), see
``generators.tasks.refactors``, and set ``singles = false``: their single-site bugs only
build the combined ones.

A project with no bug quota at all (``cases``, ``combined``, ...) runs no bug injection (its test
suite is never run); one with ``questions > 0`` also gets localisation questions
(``generators.tasks.localisation_bank``) drawn from its ``code`` files.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from generators.tasks.injection import ProjectPlan
from generators.tasks.localisation_bank import QuestionPlan
from harness.errors import ConfigError
from harness.task import DEFAULT_TEST_COMMAND


class ProjectSpec(BaseModel):
    """One project of a generated bank."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, description="PyPI project name")
    version: str = Field(min_length=1, description="exact release")
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$", description="sha256 of the sdist")
    cases: int = Field(default=20, ge=0, description="single-site bug cases to make")
    combined: int = Field(default=0, ge=0, description="two-file bug cases to make")
    triples: int = Field(default=0, ge=0, description="three-file bug cases to make")
    signatures: int = Field(default=0, ge=0, description=(
        "cases where a function lost a parameter and its callers stopped passing it"))
    removals: int = Field(default=0, ge=0, description=(
        "cases where a documented public function was removed with its exports"))
    singles: bool = Field(default=True, description=(
        "whether the single-site bugs become cases (false: they only make combined ones)"))
    tdd: int = Field(default=0, ge=0, description=(
        "testing: of the single bugs, how many become test-first cases"))
    coverage_gaps: int = Field(default=0, ge=0, description=(
        "testing: of the single bugs, how many become coverage-gap cases (tests for the "
        "function of the bug, on the correct code)"))
    misdirected: int = Field(default=0, ge=0, description=(
        "recovery: bugs whose failure surfaces in another file than the bug's"))
    interacting: int = Field(default=0, ge=0, description=(
        "recovery: pairs of bugs in two files that fail a test in common"))
    faults: int = Field(default=0, ge=0, description=(
        "recovery: bugs with an environment fault injected into the episode"))
    unsolvable: int = Field(default=0, ge=0, description=(
        "recovery: requests the project's tests rule out, graded on escalation; each "
        "comes with a solvable twin in the same words (kind 'request')"))
    questions: int = Field(default=0, ge=0, description=(
        "localisation questions to make (graded on the final answer, not by tests)"))
    code: list[str] = Field(min_length=1, description=(
        "globs of files where bugs may go and questions are drawn from"))
    test_command: str = Field(default=DEFAULT_TEST_COMMAND, description="runs the suite")
    python_packages: list[str] = Field(default_factory=list, description=(
        "pip requirements the project's tests need besides pytest and coverage (the "
        "project's own environment; the harness's packages are never visible to it)"))
    max_fail_to_pass: int = Field(default=60, ge=1, description="reject broader bugs")

    def plan(self) -> ProjectPlan:
        return ProjectPlan(name=self.name, version=self.version, sha256=self.sha256,
                           cases=self.cases, combined=self.combined, code=tuple(self.code),
                           test_command=self.test_command,
                           python_packages=tuple(self.python_packages),
                           max_fail_to_pass=self.max_fail_to_pass, triples=self.triples,
                           signatures=self.signatures, removals=self.removals,
                           singles=self.singles, tdd=self.tdd,
                           coverage_gaps=self.coverage_gaps, misdirected=self.misdirected,
                           interacting=self.interacting, faults=self.faults,
                           unsolvable=self.unsolvable)

    def question_plan(self) -> QuestionPlan:
        return QuestionPlan(name=self.name, version=self.version, sha256=self.sha256,
                            questions=self.questions, code=tuple(self.code),
                            test_command=self.test_command,
                            python_packages=tuple(self.python_packages))


class BankSpec(BaseModel):
    """A generated bank: capability, seed, output file and its projects."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    capability: str = Field(min_length=1)
    seed: int = Field(description="makes the bank reproducible byte for byte")
    output: str = Field(min_length=1, description="bank file, relative to the spec")
    projects: list[ProjectSpec] = Field(alias="project", min_length=1)


def load_spec(path: Path) -> BankSpec:
    """Read a spec; errors name the file and the field."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read bank spec {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from exc
    try:
        return BankSpec.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "<file>"
        raise ConfigError(f"{path}: field {field!r}: {first['msg']}") from exc
