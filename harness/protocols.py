"""The seams of the harness, in one place: Sandbox, Policy, Tool, Grader, and the
Capability that puts a tool set, prompts, graders, a scorer, reward signals, a data
formatter and an oracle together for one kind of skill."""

from __future__ import annotations

import builtins
from collections.abc import Callable, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol, Self

from pydantic import BaseModel, ConfigDict

from harness.errors import TaskFieldError

if TYPE_CHECKING:
    from harness.bank import Bank
from harness.process import DEFAULT_OUTPUT_LIMIT, ExecResult
from harness.results import Outcome, Submission
from harness.task import Task
from harness.trajectory import AssistantTurn, Message, SFTExample, Trajectory


@dataclass(frozen=True)
class DirEntry:
    """One entry of a directory listing."""

    name: str
    is_dir: bool
    size: int


FILE_LIMIT = 32 << 20
"""The most the harness reads of one file a case made (a report, a log, a source file)."""


class Sandbox(Protocol):
    """A repository at its base state in an isolated place where commands run.

    Paths given to the file methods are relative to the repository root; a path that
    leaves the repository raises ``ToolError``. The harness never follows a link or
    reads a special file a case made: reads are of regular files, resolved inside the
    sandbox, bounded by ``FILE_LIMIT`` (a larger file raises ``ToolError``).
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

    @property
    def base_commit(self) -> str:
        """The commit of the case's base state (the workspace's only commit when opened)."""

    deadline: float | None
    """A ``time.monotonic()`` after which every command is cut short (an episode's wall-time
    budget); None for no deadline."""

    def exec(
        self, command: Sequence[str], *, timeout: float, stdin: bytes | None = None,
        cwd: str = ".", output_limit: int = DEFAULT_OUTPUT_LIMIT,
    ) -> ExecResult:
        """Run a command in the repository (``cwd`` relative to it), within the sandbox's
        limits; on timeout its processes are killed, and none outlives it."""

    def read_file(self, path: str) -> bytes: ...

    def write_file(self, path: str, data: bytes) -> None: ...

    def list(self, path: str) -> list[DirEntry]: ...

    def read_scratch(self, name: str) -> bytes | None:
        """A regular file commands wrote to the scratch directory, or None when there is
        none (or what is there is not a regular file)."""

    def take_scratch(self, name: str) -> bytes:
        """Read and remove a scratch file that must exist (``ToolError`` when it is missing,
        not a regular file, or larger than ``FILE_LIMIT``)."""

    def limits_reached(self) -> builtins.list[str]:
        """The resource limits commands ran into since the sandbox opened (``pids``,
        ``memory``, ``disk``); empty when none was, or none can be read."""

    def diff(self) -> str:
        """Every change since the base commit as a git patch; ``ToolError`` when the
        workspace cannot be read as one (the case broke git, or it is too large)."""

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


SandboxFactory = Callable[[], AbstractContextManager[Sandbox]]
"""Opens a fresh sandbox of one case at its base state."""


class Grader(Protocol):
    """Decides whether a submission resolves its case, in fresh sandboxes of its own.

    A grader decides what of the submission it runs; nothing the candidate wrote may
    configure how it is judged.
    """

    def check(self, task: Task) -> None:
        """Raise ``TaskFieldError`` when ``task`` lacks what this grader needs (at bank load)."""

    def grade(self, task: Task, submission: Submission, open_sandbox: SandboxFactory,
              timeout: float) -> Outcome:
        """The verdict; ``GradingError`` when none can be reached, ``BrokenTaskError`` when
        the case itself cannot be graded."""

    def case_problems(self, task: Task, at_base: Outcome,
                      open_sandbox: SandboxFactory) -> list[str]:
        """What is wrong with the case itself, seen from the grading of its base state
        (``harness tasks validate``); empty for a sound case."""


Scorer = Callable[[Task, Trajectory, Outcome], dict[str, float]]
"""Numbers in [0, 1] beside ``resolved`` that say how far a solver got."""

Reward = Callable[[Task, Trajectory, Outcome], float]
"""One reward signal for reinforcement learning, a plain function."""

Formatter = Callable[[Task, Trajectory, Sequence[ToolSpec]], SFTExample]
"""Turns a solved episode into a supervised training example."""


class NoExpectations(BaseModel):
    """A capability that expects nothing beyond what its grader checks."""

    model_config = ConfigDict(extra="forbid")


@dataclass(frozen=True)
class Capability:
    """Everything that makes one capability differ from another, declared in one place.

    The core never branches on which capability it runs: it asks the task's capability
    for its tools, prompts, grader, scores, rewards, training data and oracle.
    Register one with ``harness.capabilities.register`` (or an entry point in the
    ``harness.capabilities`` group) and name it in a suite module's marker.
    """

    name: str
    description: str
    banks: tuple[str, ...]
    """Bank files, relative to the folder of the suite module that runs the capability."""
    graders: Mapping[str, Grader]
    """By the name a task gives in its ``grader`` field ('tests', 'answer', ...)."""
    tools: Callable[[Task], Mapping[str, Tool]]
    system_prompt: str
    task_prompt: Callable[[Task], str]
    scorer: Scorer
    rewards: Mapping[str, Reward]
    formatter: Formatter
    oracle: Callable[[Task], Policy]
    """A scripted policy that reaches the gold solution through the tools."""
    expectations: type[BaseModel] = NoExpectations
    """The model ``Task.expected`` must fit."""
    gate_pass_rate: float = 0.5
    """The gate's default threshold (``--gate-pass-rate`` overrides it)."""
    read_bank: Callable[[str], Bank] | None = None
    """How a bank source (a file, or ``hf:NAME``) becomes this capability's cases; None for
    the harness's JSONL banks (``harness.bank.load_bank``)."""
    sandboxes: tuple[str, ...] = ("local", "docker")
    """The sandbox backends its cases can run in."""

    def grader_for(self, task: Task) -> Grader:
        """The grader ``task.grader`` names; ``TaskFieldError`` if this capability has none."""
        grader = self.graders.get(task.grader)
        if grader is None:
            raise TaskFieldError("grader", f"one of {self.name}'s graders "
                                 f"({', '.join(sorted(self.graders))}), got {task.grader!r}")
        return grader

    def check(self, task: Task) -> None:
        """Raise ``TaskFieldError`` unless ``task`` is a case this capability can run."""
        self.grader_for(task).check(task)
        task.expectations(self.expectations)

    def opening(self, task: Task) -> list[Message]:
        """The conversation an episode starts from: the system prompt and the task."""
        return [Message(role="system", content=self.system_prompt),
                Message(role="user", content=self.task_prompt(task))]
