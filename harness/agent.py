"""The agent loop: policy and tools in turns, within budgets, recorded as a Trajectory.

The loop knows nothing of capabilities: it is given the opening messages (a
capability's prompts) and the tools, and hands the trajectory to ``on_step``
after every step, so that a crash keeps what happened up to it.

The wall-time budget holds during a step too: the sandbox cuts every command short
at the case's deadline, and a model call still running at the deadline ends the
episode (the call is left to finish in the background).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from pydantic import BaseModel, Field

from harness.context import ContextConfig, is_echo, masked_view, prompt_tokens
from harness.errors import ToolError
from harness.protocols import Policy, Sandbox, Tool
from harness.trajectory import (
    AssistantTurn,
    Completion,
    ExitReason,
    Message,
    Step,
    ToolCall,
    Trajectory,
)


class AgentBudget(BaseModel):
    """Limits of one episode."""

    max_turns: int = Field(default=30, ge=1, description="policy steps before the episode ends")
    wall_time: float = Field(default=600.0, gt=0, description="seconds before the episode ends")
    max_tokens: int | None = Field(default=None, description="prompt+completion tokens, if known")
    max_format_errors: int = Field(default=5, ge=1, description="unparsable turns tolerated")


@dataclass
class _Ended(Exception):
    reason: ExitReason


class AgentLoop:
    """Runs one episode; ``run`` returns the trajectory however the episode ends."""

    def __init__(self, policy: Policy, sandbox: Sandbox, tools: Mapping[str, Tool],
                 budget: AgentBudget, context: ContextConfig | None = None,
                 on_step: Callable[[Trajectory], None] | None = None) -> None:
        self.policy, self.sandbox, self.tools, self.budget = policy, sandbox, tools, budget
        self.context = context or ContextConfig()
        self.on_step = on_step
        self.specs = [tool.spec for tool in tools.values()]
        self.calls: list[ToolCall] = []
        self.deadline = float("inf")

    def run(self, instance_id: str, opening: Sequence[Message]) -> Trajectory:
        """Play one episode from the ``opening`` messages (system prompt, task)."""
        trajectory = Trajectory(instance_id=instance_id, model=self.policy.name,
                                messages=list(opening))
        started = time.monotonic()
        self.deadline = started + self.budget.wall_time
        self.sandbox.deadline = self.deadline
        try:
            while True:
                self._check_budget(trajectory, started)
                try:
                    self.step(trajectory)
                finally:
                    trajectory.seconds = time.monotonic() - started
                    if self.on_step is not None:
                        self.on_step(trajectory)
        except _Ended as ended:
            trajectory.exit_reason = ended.reason
        finally:
            self.sandbox.deadline = None
        trajectory.seconds = time.monotonic() - started
        return trajectory

    def step(self, trajectory: Trajectory) -> None:
        """Ask the policy for one turn and carry it out."""
        turn_number = trajectory.turns + 1
        view = masked_view(trajectory.messages, self.context.keep_observations)
        if self.context.max_context_tokens is not None and \
                prompt_tokens(view, self.specs) > self.context.max_context_tokens:
            raise _Ended("context_window")
        turn = self._ask(view)
        trajectory.turns = turn_number
        trajectory.prompt_tokens += turn.prompt_tokens or 0
        trajectory.completion_tokens += turn.completion_tokens or 0
        trajectory.completions.append(Completion(
            turn=turn_number, raw=turn.raw, format_error=turn.format_error,
            prompt_tokens=turn.prompt_tokens, completion_tokens=turn.completion_tokens))
        if turn.analysis:
            trajectory.messages.append(Message(role="assistant", channel="analysis",
                                               content=turn.analysis, turn=turn_number))
        if turn.format_error is not None:
            self._format_error(trajectory, turn.format_error, turn_number)
            return
        if turn.tool_calls:
            trajectory.messages.append(Message(role="assistant", channel="commentary",
                                               tool_calls=turn.tool_calls, turn=turn_number))
            for call in turn.tool_calls:
                self._execute(trajectory, call, turn_number)
        if turn.final is not None:
            trajectory.messages.append(Message(role="assistant", channel="final",
                                               content=turn.final, turn=turn_number))
            raise _Ended("final_answer")
        if not turn.tool_calls and not turn.analysis:
            self._format_error(trajectory, "empty turn: call a tool or give a final answer",
                               turn_number)

    def _ask(self, view: list[Message]) -> AssistantTurn:
        """The policy's next turn, or the end of the episode if it is not there by the
        deadline."""
        answer: list[AssistantTurn | BaseException] = []

        def call() -> None:
            try:
                answer.append(self.policy.next_turn(view, self.specs))
            except BaseException as exc:  # handed to the loop's thread, raised there
                answer.append(exc)

        thread = threading.Thread(target=call, name="policy-call", daemon=True)
        thread.start()
        thread.join(max(0.0, self.deadline - time.monotonic()))
        if thread.is_alive():
            raise _Ended("wall_time")
        if isinstance(answer[0], BaseException):
            raise answer[0]
        return answer[0]

    def _execute(self, trajectory: Trajectory, call: ToolCall, turn_number: int) -> None:
        started = time.monotonic()
        error = None
        tool = self.tools.get(call.name)
        try:
            if tool is None:
                raise ToolError(f"unknown tool {call.name!r}; available: {', '.join(self.tools)}")
            output = tool(self.sandbox, dict(call.arguments))
        except ToolError as exc:
            error = str(exc)
            output = f"Error: {error}"
        if is_echo(self.calls, call, self.context.echo_limit):
            trajectory.echoes += 1
            output += (f"\n\nNote: this is call number {self.context.echo_limit} in a row of "
                       f"{call.name} with the same arguments; the result will not change. "
                       "Try a different action.")
        self.calls.append(call)
        trajectory.steps.append(Step(turn=turn_number, tool=call.name, arguments=call.arguments,
                                     seconds=time.monotonic() - started, error=error,
                                     output_chars=len(output)))
        trajectory.messages.append(Message(role="tool", name=call.name, call_id=call.call_id,
                                           content=output, turn=turn_number))

    def _format_error(self, trajectory: Trajectory, error: str, turn_number: int) -> None:
        trajectory.format_errors += 1
        trajectory.messages.append(Message(
            role="user", turn=turn_number,
            content=f"Your last message could not be used: {error}. Call one of the tools "
                    f"({', '.join(self.tools)}) with JSON arguments, or give a final answer."))
        if trajectory.format_errors >= self.budget.max_format_errors:
            raise _Ended("format_errors")

    def _check_budget(self, trajectory: Trajectory, started: float) -> None:
        if trajectory.turns >= self.budget.max_turns:
            raise _Ended("max_turns")
        if time.monotonic() - started >= self.budget.wall_time:
            raise _Ended("wall_time")
        tokens = trajectory.prompt_tokens + trajectory.completion_tokens
        if self.budget.max_tokens is not None and tokens >= self.budget.max_tokens:
            raise _Ended("max_tokens")
