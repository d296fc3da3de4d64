"""The seams of the harness, in one place: Sandbox, Policy and Tool."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, Self

from harness.process import ExecResult
from harness.trajectory import AssistantTurn, Message


@dataclass(frozen=True)
class DirEntry:
    """One entry of a directory listing."""

    name: str
    is_dir: bool
    size: int


class Sandbox(Protocol):
    """A repository at its base state in an isolated place where commands run.

    Paths given to the file methods are relative to the repository root; a
    path that leaves the repository raises ``ToolError``.
    """

    @property
    def workdir(self) -> str:
        """The repository's root, as commands see it."""

    @property
    def isolation(self) -> str:
        """How commands are isolated (recorded in the run's metadata)."""

    @property
    def scratch_dir(self) -> str:
        """A directory outside the repository that commands may write (reports, logs)."""

    def exec(
        self, command: Sequence[str], *, timeout: float, stdin: bytes | None = None,
        cwd: str = ".",
    ) -> ExecResult: ...

    def read_file(self, path: str) -> bytes: ...

    def write_file(self, path: str, data: bytes) -> None: ...

    def list(self, path: str) -> list[DirEntry]: ...

    def read_scratch(self, name: str) -> bytes | None: ...

    def diff(self) -> str: ...

    def reset(self) -> None: ...

    def close(self) -> None: ...

    def __enter__(self) -> Self: ...

    def __exit__(self, *exc: object) -> None: ...


class Policy(Protocol):
    """Given the conversation so far and the tools, return the next assistant turn."""

    @property
    def name(self) -> str:
        """The model URI or a readable name, recorded in trajectories."""

    def next_turn(
        self, messages: Sequence[Message], tools: Sequence[ToolSpec]
    ) -> AssistantTurn: ...


@dataclass(frozen=True)
class ToolSpec:
    """A tool as the model sees it: OpenAI function format."""

    name: str
    description: str
    parameters: dict[str, Any]

    def openai_schema(self) -> dict[str, Any]:
        return {"type": "function", "function": {
            "name": self.name, "description": self.description, "parameters": self.parameters}}


class Tool(Protocol):
    """A tool: its spec and an implementation that runs against a sandbox."""

    @property
    def spec(self) -> ToolSpec:
        """What the model sees."""

    def __call__(self, sandbox: Sandbox, arguments: dict[str, Any]) -> str: ...
