"""The runner (harness.runner): what is retried after an infrastructure error, and what is
kept when an episode breaks. Faults enter through the real seams: the sandbox opener and
the policy."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

import pytest

from harness import policies
from harness.errors import PolicyError, SandboxError
from harness.process import ExecResult
from harness.protocols import Sandbox, SandboxFactory, ToolSpec
from harness.run_config import RunConfig
from harness.rundir import RunDir
from harness.runner import SandboxOpener, open_sandbox, run_case
from harness.task import Task
from harness.trajectory import AssistantTurn, Message, ToolCall, Trajectory


class FailingSandbox:
    """A real sandbox whose command number ``fail_at`` (and every later one) fails the way a
    dying backend does."""

    def __init__(self, inner: Sandbox, fail_at: int) -> None:
        self.inner, self.fail_at, self.calls = inner, fail_at, 0

    def exec(self, command: Sequence[str], **kwargs: Any) -> ExecResult:
        self.calls += 1
        if self.calls >= self.fail_at:
            raise SandboxError(f"the sandbox died running {command[0]!r}")
        return self.inner.exec(command, **kwargs)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)

    def __enter__(self) -> FailingSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.inner.close()


def faulty_opener(faults: dict[int, int]) -> tuple[SandboxOpener, list[int]]:
    """Sandboxes as the runner opens them; open number N (from 1) fails at its
    ``faults[N]``-th command. Returns the opener and the list of opens made."""
    opened: list[int] = []

    def opener(task: Task, config: RunConfig) -> SandboxFactory:
        real = open_sandbox(task, config)

        def open_one() -> Sandbox:
            opened.append(len(opened) + 1)
            box = real()
            fail_at = faults.get(len(opened))
            return FailingSandbox(box, fail_at) if fail_at else box  # type: ignore[return-value]

        return open_one

    return opener, opened


def test_a_failed_grading_is_graded_again_without_a_new_episode(tiny_task: Task,
                                                                run_dir: RunDir) -> None:
    opener, opened = faulty_opener({2: 1})  # the first grading sandbox dies at once
    result = run_case(tiny_task, 1, RunConfig(model="oracle", infra_retries=2), run_dir, opener)
    assert (result.status, result.attempts, result.error) == ("resolved", 2, None)
    assert opened == [1, 2, 3]  # one episode, two gradings
    assert sorted(p.name for p in (run_dir.path / "trajectories").iterdir()) == [
        f"{tiny_task.instance_id}.json"]


def test_a_broken_episode_is_played_again_and_its_partial_trajectory_kept(
        tiny_task: Task, run_dir: RunDir) -> None:
    opener, opened = faulty_opener({1: 4})  # the first episode's sandbox dies mid-way
    result = run_case(tiny_task, 1, RunConfig(model="oracle", infra_retries=1), run_dir, opener)
    assert (result.status, result.attempts) == ("resolved", 2)
    assert opened == [1, 2, 3]
    trajectories = run_dir.path / "trajectories"
    partial = Trajectory.model_validate_json(
        (trajectories / f"{tiny_task.instance_id}.attempt-1.json").read_text())
    assert partial.turns >= 1 and partial.submission is None
    final = Trajectory.model_validate_json(
        (trajectories / f"{tiny_task.instance_id}.json").read_text())
    assert final.exit_reason == "final_answer" and final.submission is not None
    assert final.submission.patch.strip()


def test_a_broken_case_is_never_retried(tiny_task: Task, run_dir: RunDir) -> None:
    stale = ("diff --git a/tests/test_fmt.py b/tests/test_fmt.py\n--- a/tests/test_fmt.py\n"
             "+++ b/tests/test_fmt.py\n@@ -1,2 +1,2 @@\n-from calc.text import nothing\n"
             "+from calc.text import something\n \n")
    opener, opened = faulty_opener({})
    broken = tiny_task.model_copy(update={"test_patch": stale})
    result = run_case(broken, 1, RunConfig(model="oracle", infra_retries=3), run_dir, opener)
    assert (result.status, result.attempts) == ("infra_error", 1)
    assert result.error is not None and result.error.startswith("BrokenTaskError")
    assert opened == [1, 2]


class CrashingPolicy:
    """Reads a file twice, then its backend goes away."""

    name = "crashing"

    def __init__(self) -> None:
        self.turns = 0

    def next_turn(self, messages: Sequence[Message], tools: Sequence[ToolSpec]) -> AssistantTurn:
        self.turns += 1
        if self.turns > 2:
            raise PolicyError("the endpoint went away")
        return AssistantTurn(raw=f"<raw output {self.turns}>", tool_calls=[
            ToolCall(name="read_file", arguments={"path": "calc/ops/arith.py"})])


def test_every_step_is_saved_so_a_crash_keeps_the_turns_played(
        tiny_task: Task, run_dir: RunDir, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(policies.POLICIES, "crashing", f"{__name__}:crashing_policy")
    result = run_case(tiny_task, 1, RunConfig(model="crashing", infra_retries=0), run_dir)
    assert result.status == "infra_error" and result.error is not None
    assert result.error.startswith("PolicyError")
    kept = run_dir.path / "trajectories" / f"{tiny_task.instance_id}.attempt-1.json"
    trajectory = json.loads(kept.read_text())
    assert [c["raw"] for c in trajectory["completions"]] == ["<raw output 1>", "<raw output 2>"]
    assert [s["tool"] for s in trajectory["steps"]] == ["read_file", "read_file"]


def crashing_policy(task: Task, argument: str) -> CrashingPolicy:
    return CrashingPolicy()


def test_the_raw_completion_of_a_format_error_is_kept(tiny_task: Task, run_dir: RunDir,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(policies.POLICIES, "garbled", f"{__name__}:garbled_policy")
    result = run_case(tiny_task, 1, RunConfig(model="garbled"), run_dir)
    assert result.status == "unresolved" and result.format_errors == 1
    assert result.trajectory is not None
    trajectory = Trajectory.model_validate_json((run_dir.path / result.trajectory).read_text())
    first = trajectory.completions[0]
    assert first.raw == "<|channel|>commentary to=functions.read_file<|message|>{oops<|call|>"
    assert first.format_error is not None and "JSON" in first.format_error


def garbled_policy(task: Task, argument: str) -> Any:
    from harness.harmony import parse_completion
    from harness.policies.scripted import ScriptedPolicy

    garbled = parse_completion(
        "<|channel|>commentary to=functions.read_file<|message|>{oops<|call|>")
    return ScriptedPolicy("garbled", [garbled, AssistantTurn(final="gave up")])
