"""Scripted policies: deterministic fakes that enter through the real Policy seam.

``oracle`` reaches the gold solution through the tools (proof that a case is
solvable; in an answer case it looks each expected location up and names them);
``null`` gives up at once (proof that no case passes for free); ``replay``
plays back the assistant turns of a recorded trajectory.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

from harness.errors import ConfigError
from harness.grading.patches import touched_files
from harness.protocols import ToolSpec
from harness.task import Task
from harness.trajectory import AssistantTurn, Message, ToolCall, Trajectory


class ScriptedPolicy:
    """Plays a fixed list of turns, then gives a final answer."""

    def __init__(self, name: str, turns: Sequence[AssistantTurn]) -> None:
        self.name = name
        self._turns = list(turns)
        self._index = 0

    def next_turn(self, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> AssistantTurn:
        if self._index >= len(self._turns):
            return AssistantTurn(final="No further actions.")
        turn = self._turns[self._index]
        self._index += 1
        return turn


def _call(tool: str, **arguments: object) -> AssistantTurn:
    return AssistantTurn(tool_calls=[ToolCall(name=tool, arguments=dict(arguments),
                                              call_id=f"call_{tool}")])


def oracle_policy(task: Task) -> ScriptedPolicy:
    """Navigate to each file the gold patch edits, apply it, run the tests, finish."""
    if task.expected_answer:
        return _answer_oracle(task)
    code_files = [f for f in touched_files(task.patch)]
    turns = [AssistantTurn(analysis="Survey the repository layout first.",
                           tool_calls=[ToolCall(name="repo_tree", arguments={"max_depth": 3},
                                                call_id="call_tree")])]
    for symbol in task.expected.symbols:
        turns.append(_call("find_symbol", name=symbol.rsplit(".", 1)[-1]))
    for path in code_files:
        turns.append(_call("read_file", path=path))
    turns.append(_call("apply_patch", patch=task.patch))
    turns.append(_call("run_tests"))
    turns.append(AssistantTurn(final=f"Fixed the issue by editing {', '.join(code_files)}."))
    return ScriptedPolicy("oracle", turns)


def _answer_oracle(task: Task) -> ScriptedPolicy:
    """Find each expected location with the tools, read its file, answer with all of them."""
    turns = [AssistantTurn(analysis="Survey the repository layout first.",
                           tool_calls=[ToolCall(name="repo_tree", arguments={"max_depth": 3},
                                                call_id="call_tree")])]
    locations = [text.partition("::") for text in task.expected_answer]
    for name in dict.fromkeys(qualname.rsplit(".", 1)[-1] for _, _, qualname in locations):
        turns.append(_call("find_symbol", name=name))
    for path in dict.fromkeys(path for path, _, _ in locations):
        turns.append(_call("read_file", path=path))
    turns.append(AssistantTurn(final="\n".join(task.expected_answer)))
    return ScriptedPolicy("oracle", turns)


def null_policy(task: Task) -> ScriptedPolicy:
    """Submit nothing."""
    return ScriptedPolicy("null", [AssistantTurn(final="I cannot resolve this issue.")])


def replay_policy(task: Task, source: str) -> ScriptedPolicy:
    """Replay a trajectory file, or ``<dir>/<instance_id>.json`` from a trajectories folder."""
    path = Path(source)
    if path.is_dir():
        path = path / f"{task.instance_id}.json"
    if not path.is_file():
        raise ConfigError(f"replay: no recorded trajectory at {path}")
    try:
        recorded = Trajectory.model_validate(json.loads(path.read_text()))
    except ValueError as exc:
        raise ConfigError(f"replay: {path} is not a trajectory: {exc}") from exc
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
