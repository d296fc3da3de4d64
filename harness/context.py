"""What the policy sees of a long episode: observation masking and a token budget.

The trajectory always keeps every message in full; the policy is shown a view
in which tool outputs older than the last ``keep_observations`` are replaced by
a one-line placeholder (observation masking, as in SWE-agent), and the view's
size is counted with the GPT-OSS tokenizer (Harmony rendering, o200k_harmony).
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, Field

from harness.protocols import ToolSpec
from harness.trajectory import Message, ToolCall


class ContextConfig(BaseModel):
    """How the conversation is shown to the policy."""

    keep_observations: int | None = Field(
        default=None, ge=0, description="tool outputs shown in full (older ones masked); "
        "None shows all")
    max_context_tokens: int | None = Field(
        default=None, ge=1, description="end the episode when the prompt would exceed this")
    echo_limit: int = Field(
        default=3, ge=2, description="identical consecutive tool calls before a warning")


def masked_view(messages: Sequence[Message], keep: int | None) -> list[Message]:
    """The messages with all but the last ``keep`` tool outputs replaced by a placeholder."""
    if keep is None:
        return list(messages)
    tool_positions = [i for i, m in enumerate(messages) if m.role == "tool"]
    masked = set(tool_positions[:max(0, len(tool_positions) - keep)])
    return [m.model_copy(update={"content": f"[output of {m.name} omitted: "
                                            f"{len(m.content)} characters]"})
            if i in masked else m for i, m in enumerate(messages)]


def prompt_tokens(messages: Sequence[Message], tools: Sequence[ToolSpec]) -> int:
    """Tokens of the Harmony prompt for the next assistant turn."""
    from harness.harmony import render_prompt

    return len(render_prompt(messages, tools).token_ids())


def is_echo(history: Sequence[ToolCall], call: ToolCall, limit: int) -> bool:
    """True when ``call`` repeats the last ``limit - 1`` calls exactly (name and arguments)."""
    recent = history[-(limit - 1):]
    return len(recent) == limit - 1 and all(
        c.name == call.name and c.arguments == call.arguments for c in recent)
