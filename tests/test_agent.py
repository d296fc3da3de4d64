"""The agent loop: endings, budgets, format errors and tool errors as observations."""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from harness.agent import AgentBudget, AgentLoop
from harness.capabilities.navigation import NAVIGATION
from harness.context import ContextConfig, prompt_tokens
from harness.errors import ConfigError
from harness.policies import make_policy, split_uri
from harness.policies.scripted import ScriptedPolicy, turns_of
from harness.protocols import ToolSpec
from harness.sandbox.local import LocalSandbox
from harness.task import Task
from harness.tools import default_tools
from harness.trajectory import AssistantTurn, Message, ToolCall


@pytest.fixture
def box(tiny_task: Task) -> Iterator[LocalSandbox]:
    with LocalSandbox(tiny_task.repo_source) as sandbox:
        yield sandbox


class LoopingPolicy:
    """Never finishes: lists the root directory forever."""

    name = "looping"

    def next_turn(self, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> AssistantTurn:
        return AssistantTurn(tool_calls=[ToolCall(name="list_directory")])


def loop(policy: object, box: LocalSandbox, task: Task, **budget: float) -> AgentLoop:
    return AgentLoop(policy, box, default_tools(task), AgentBudget(**budget))  # type: ignore[arg-type]


def opening(task: Task) -> tuple[str, list[Message]]:
    """What ``AgentLoop.run`` takes to play a navigation case: its id and first messages."""
    return task.instance_id, NAVIGATION.opening(task)


def test_oracle_ends_on_a_final_answer_with_the_fix_in_place(box: LocalSandbox,
                                                            tiny_task: Task) -> None:
    trajectory = loop(make_policy("oracle", tiny_task), box, tiny_task).run(*opening(tiny_task))
    assert trajectory.exit_reason == "final_answer"
    assert [s.tool for s in trajectory.steps] == ["repo_tree", "find_symbol", "read_file",
                                                  "apply_patch", "run_tests"]
    assert all(s.error is None for s in trajectory.steps)
    assert "return a - b" in box.diff()
    assert trajectory.messages[1].role == "user"
    assert tiny_task.patch not in trajectory.messages[1].content


def test_the_turn_budget_ends_the_episode(box: LocalSandbox, tiny_task: Task) -> None:
    trajectory = loop(LoopingPolicy(), box, tiny_task, max_turns=4).run(*opening(tiny_task))
    assert trajectory.exit_reason == "max_turns" and trajectory.turns == 4
    assert len(trajectory.steps) == 4


class SlowLoopingPolicy(LoopingPolicy):
    """Takes a tenth of a second per turn, like a slow model."""

    def next_turn(self, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> AssistantTurn:
        time.sleep(0.1)
        return super().next_turn(messages, tools)


def test_the_wall_time_budget_ends_the_episode(box: LocalSandbox, tiny_task: Task) -> None:
    trajectory = loop(SlowLoopingPolicy(), box, tiny_task, wall_time=0.25).run(*opening(tiny_task))
    assert trajectory.exit_reason == "wall_time" and 1 <= trajectory.turns < 30


def test_format_errors_are_counted_and_explained(box: LocalSandbox, tiny_task: Task) -> None:
    bad = ScriptedPolicy("bad", [AssistantTurn(format_error="invalid JSON in tool arguments")] * 9)
    trajectory = loop(bad, box, tiny_task, max_format_errors=3).run(*opening(tiny_task))
    assert trajectory.exit_reason == "format_errors" and trajectory.format_errors == 3
    assert "invalid JSON in tool arguments" in trajectory.messages[-1].content


def test_tool_errors_become_observations(box: LocalSandbox, tiny_task: Task) -> None:
    policy = ScriptedPolicy("errs", [
        AssistantTurn(tool_calls=[ToolCall(name="teleport")]),
        AssistantTurn(tool_calls=[ToolCall(name="read_file", arguments={"path": "/etc/passwd"})]),
        AssistantTurn(final="done")])
    trajectory = loop(policy, box, tiny_task).run(*opening(tiny_task))
    tool_messages = [m.content for m in trajectory.messages if m.role == "tool"]
    assert "unknown tool 'teleport'" in tool_messages[0]
    assert "outside the repository" in tool_messages[1] and "root:" not in tool_messages[1]
    assert [s.error is not None for s in trajectory.steps] == [True, True]
    assert trajectory.exit_reason == "final_answer"


def test_replay_plays_back_the_recorded_turns(box: LocalSandbox, tiny_task: Task) -> None:
    recorded = loop(make_policy("oracle", tiny_task), box, tiny_task).run(*opening(tiny_task))
    box.reset()
    replay = ScriptedPolicy("replay", turns_of(recorded))
    replayed = loop(replay, box, tiny_task).run(*opening(tiny_task))
    assert [m.model_dump(exclude={"content"}) for m in replayed.messages] == \
           [m.model_dump(exclude={"content"}) for m in recorded.messages]
    assert "return a - b" in box.diff()


def test_policy_uris_are_checked(tiny_task: Task, tmp_path: Path) -> None:
    assert split_uri(f"replay:{tmp_path}") == ("replay", str(tmp_path))
    for bad in ("gpt-9", "replay", "replay:/nowhere"):
        with pytest.raises(ConfigError):
            split_uri(bad)
    with pytest.raises(ConfigError, match=f"no recorded trajectory of {tiny_task.instance_id}"):
        make_policy(f"replay:{tmp_path}", tiny_task)


def test_bad_endpoint_uris_fail_when_given_not_per_case() -> None:
    for bad in ("openai:", "openai:ftp://x/v1", "openai:http://127.0.0.1:1/v1?colour=red"):
        with pytest.raises(ConfigError):
            split_uri(bad)


class RecordingLooper(LoopingPolicy):
    """Lists the root forever and remembers what it was shown."""

    def __init__(self) -> None:
        self.seen: list[list[Message]] = []

    def next_turn(self, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> AssistantTurn:
        self.seen.append(list(messages))
        return super().next_turn(messages, tools)


def test_old_observations_are_masked_for_the_policy_not_in_the_trajectory(
        box: LocalSandbox, tiny_task: Task) -> None:
    policy = RecordingLooper()
    trajectory = AgentLoop(policy, box, default_tools(tiny_task), AgentBudget(max_turns=4),
                           ContextConfig(keep_observations=1)).run(*opening(tiny_task))
    last_view = [m.content for m in policy.seen[-1] if m.role == "tool"]
    assert len(last_view) == 3
    assert all(c.startswith("[output of list_directory omitted") for c in last_view[:2])
    assert "calc/" in last_view[2]
    assert all("calc/" in m.content for m in trajectory.messages if m.role == "tool")


def test_repeated_identical_calls_are_flagged_as_echoes(box: LocalSandbox,
                                                        tiny_task: Task) -> None:
    trajectory = loop(LoopingPolicy(), box, tiny_task, max_turns=5).run(*opening(tiny_task))
    tool_messages = [m.content for m in trajectory.messages if m.role == "tool"]
    assert trajectory.echoes == 3
    assert "Note: this is call number 3 in a row" not in tool_messages[1]
    assert "Note: this is call number 3 in a row" in tool_messages[2]


def test_the_context_budget_counts_harmony_tokens(box: LocalSandbox, tiny_task: Task) -> None:
    trajectory = AgentLoop(LoopingPolicy(), box, default_tools(tiny_task), AgentBudget(),
                           ContextConfig(max_context_tokens=1500)).run(*opening(tiny_task))
    assert trajectory.exit_reason == "context_window"
    assert 1 <= trajectory.turns < 30
    assert prompt_tokens(trajectory.messages, [t.spec for t in default_tools(tiny_task).values()]
                         ) > 1500
