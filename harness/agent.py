"""The agent loop: policy and tools in turns, within budgets, recorded as a Trajectory."""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass

from pydantic import BaseModel, Field

from harness.context import ContextConfig, is_echo, masked_view, prompt_tokens
from harness.errors import ToolError
from harness.protocols import Policy, Sandbox, Tool
from harness.task import Task
from harness.trajectory import ExitReason, Message, Step, ToolCall, Trajectory

SYSTEM_PROMPT = (
    "You are a software engineering agent working in a git repository. Use the tools to "
    "explore the code, find the cause of the issue, and change the code with apply_patch. "
    "When you are done, reply with a final answer that summarises your change."
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


def task_prompt(task: Task) -> str:
    """The user message: the issue, and nothing a solver should not see."""
    return (f"Repository: {task.repo}\n\nResolve the following issue. The repository is checked "
            f"out at its base state in your working directory.\n\n{task.problem_statement}")


class AgentLoop:
    """Runs one episode; ``run`` returns the trajectory however the episode ends."""

    def __init__(self, policy: Policy, sandbox: Sandbox, tools: Mapping[str, Tool],
                 budget: AgentBudget, context: ContextConfig | None = None) -> None:
        self.policy, self.sandbox, self.tools, self.budget = policy, sandbox, tools, budget
        self.context = context or ContextConfig()
        self.specs = [tool.spec for tool in tools.values()]
        self.calls: list[ToolCall] = []

    def run(self, task: Task) -> Trajectory:
        trajectory = Trajectory(instance_id=task.instance_id, model=self.policy.name, messages=[
            Message(role="system", content=SYSTEM_PROMPT),
            Message(role="user", content=task_prompt(task))])
        started = time.monotonic()
        try:
            while True:
                self._check_budget(trajectory, started)
                self.step(trajectory)
        except _Ended as ended:
            trajectory.exit_reason = ended.reason
        trajectory.seconds = time.monotonic() - started
        return trajectory

    def step(self, trajectory: Trajectory) -> None:
        """Ask the policy for one turn and carry it out."""
        turn_number = trajectory.turns + 1
        view = masked_view(trajectory.messages, self.context.keep_observations)
        if self.context.max_context_tokens is not None and \
                prompt_tokens(view, self.specs) > self.context.max_context_tokens:
            raise _Ended("context_window")
        turn = self.policy.next_turn(view, self.specs)
        trajectory.turns = turn_number
        trajectory.prompt_tokens += turn.prompt_tokens or 0
        trajectory.completion_tokens += turn.completion_tokens or 0
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
