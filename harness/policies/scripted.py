"""Scripted policies: deterministic fakes that enter through the real Policy seam.

``oracle`` is the task's capability's scripted solver: it reaches the gold solution
through the tools (proof that a case is solvable);
``null`` gives up at once (proof that no case passes for free); ``replay``
plays back the assistant turns of a recorded trajectory.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from harness.capabilities import get_capability
from harness.errors import ConfigError
from harness.protocols import Policy, ToolSpec
from harness.task import Task
from harness.trajectory import AssistantTurn, Message, Trajectory


class ScriptedPolicy:
    """Plays a fixed list of turns, then gives a final answer."""

    def __init__(self, name: str, turns: Sequence[AssistantTurn]) -> None:
        self.name = name
        self._turns = list(turns)
        self._index = 0

    @property
    def length(self) -> int:
        """How many turns the script plays before its default final answer."""
        return len(self._turns)

    def next_turn(self, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> AssistantTurn:
        if self._index >= len(self._turns):
            return AssistantTurn(final="No further actions.")
        turn = self._turns[self._index]
        self._index += 1
        return turn


def oracle_policy(task: Task, argument: str = "") -> Policy:
    """The oracle of the task's capability: it reaches the gold solution through the tools."""
    return get_capability(task.capability).oracle(task)


def null_policy(task: Task, argument: str = "") -> ScriptedPolicy:
    """Submit nothing."""
    return ScriptedPolicy("null", [AssistantTurn(final="I cannot resolve this issue.")])


def check_replay_source(source: str) -> Path:
    """The recorded trajectory file or ``trajectories/`` folder a replay reads; ConfigError
    when there is none."""
    if not source:
        raise ConfigError("replay needs a path: --model replay:runs/RUN/trajectories")
    path = Path(source)
    if not path.exists():
        raise ConfigError(f"replay: {path} does not exist; give a trajectory file or a run's "
                          "trajectories/ folder (--model replay:runs/RUN/trajectories)")
    return path


def replay_policy(task: Task, source: str) -> ScriptedPolicy:
    """Replay a trajectory file, or ``<dir>/<instance_id>.json`` from a trajectories folder."""
    path = check_replay_source(source)
    if path.is_dir():
        path = path / f"{task.instance_id}.json"
    if not path.is_file():
        raise ConfigError(f"replay: no recorded trajectory of {task.instance_id} at {path}")
    try:
        recorded = Trajectory.model_validate_json(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        first = str(exc).splitlines()[0]
        raise ConfigError(f"replay: {path} is not a trajectory ({first})") from exc
    return ScriptedPolicy(f"replay:{source}", turns_of(recorded))


def turns_of(trajectory: Trajectory) -> list[AssistantTurn]:
    """Rebuild the policy's turns from the assistant messages of a trajectory."""
    turns: dict[int, AssistantTurn] = {}
    for message in trajectory.messages:
        if message.role != "assistant" or message.turn is None:
            continue
        turn = turns.setdefault(message.turn, AssistantTurn())
        if message.channel == "analysis":
            turn.analysis += message.content
        elif message.channel == "final":
            turn.final = message.content
        else:
            turn.tool_calls.extend(message.tool_calls)
    return [turns[number] for number in sorted(turns)]
