"""Trajectories: the conversation of one case plus per-step metadata.

Messages follow the Harmony roles (system, developer, user, assistant, tool);
assistant messages carry a channel (analysis, commentary, final) and, for tool
calls, a recipient such as ``functions.read_file``.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from harness.results import Submission

Role = Literal["system", "developer", "user", "assistant", "tool"]
Channel = Literal["analysis", "commentary", "final"]


class ToolCall(BaseModel):
    """A call the model asked for: the tool's name and its JSON arguments."""

    name: str
    arguments: dict[str, Any] = Field(default_factory=dict)
    call_id: str = ""


class Message(BaseModel):
    """One message of the conversation."""

    role: Role
    content: str = ""
    channel: Channel | None = None
    tool_calls: list[ToolCall] = Field(default_factory=list)
    name: str | None = Field(default=None, description="the tool's name on a tool message")
    call_id: str = ""
    turn: int | None = Field(default=None, description="the policy step that produced it")


class AssistantTurn(BaseModel):
    """What a policy returns for one step: optional reasoning, tool calls or a final answer."""

    analysis: str = ""
    tool_calls: list[ToolCall] = Field(default_factory=list)
    final: str | None = None
    format_error: str | None = Field(
        default=None, description="set when the model's output could not be parsed"
    )
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    raw: str = Field(default="", description="the model's output as it came (Harmony text, or "
                                             "the endpoint's message as JSON); '' for scripts")


class Completion(BaseModel):
    """What the model produced at one policy step, kept whether or not it could be used."""

    turn: int
    raw: str = Field(description="the output as it came ('' for a scripted policy)")
    format_error: str | None = Field(default=None, description="why it could not be used")
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


class Step(BaseModel):
    """Metadata of one tool execution."""

    turn: int
    tool: str
    arguments: dict[str, Any]
    seconds: float
    error: str | None = None
    output_chars: int = 0


ExitReason = Literal["final_answer", "max_turns", "wall_time", "max_tokens", "format_errors",
                     "context_window"]


class Trajectory(BaseModel):
    """The full record of one case's episode."""

    instance_id: str
    model: str
    messages: list[Message] = Field(default_factory=list)
    steps: list[Step] = Field(default_factory=list)
    completions: list[Completion] = Field(default_factory=list,
                                          description="the model's raw output, turn by turn")
    exit_reason: ExitReason | None = None
    turns: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    format_errors: int = 0
    echoes: int = Field(default=0, description="tool calls that repeated the previous ones")
    seconds: float = 0.0
    submission: Submission | None = Field(
        default=None, description="what was handed to the grader (set when the episode ended)")
    limits_reached: list[str] = Field(default_factory=list, description="resource limits the "
                                      "episode's commands ran into (pids, memory, disk)")

    def final_answer(self) -> str:
        """The text of the episode's last final answer ("" when it ended without one)."""
        finals = [m.content for m in self.messages
                  if m.role == "assistant" and m.channel == "final"]
        return finals[-1] if finals else ""


class SFTExample(BaseModel):
    """One supervised example in TRL's conversational form, made by a capability's formatter."""

    instance_id: str
    capability: str
    messages: list[dict[str, Any]] = Field(description="Hugging Face messages (role, content, "
                                                       "thinking, tool_calls)")
    tools: list[dict[str, Any]] = Field(description="the tools offered, in OpenAI format")
