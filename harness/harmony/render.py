"""Render conversations as Harmony text and token ids (GPT-OSS's chat format).

``render_conversation`` writes what GPT-OSS was trained on: a system message
(the Harmony preamble), a developer message (the harness's system prompt as
``# Instructions`` and the tools as ``namespace functions``), then the turns.
``render_messages`` writes messages as they are, the inverse of
``parse_conversation``. Token ids follow openai-harmony: each header part and
each content is encoded on its own.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

from harness.harmony.syntax import (
    CALL,
    CHANNEL,
    CONSTRAIN,
    END,
    MESSAGE,
    RETURN,
    SPECIAL_TOKENS,
    START,
    HarmonyFormatError,
    Piece,
)
from harness.harmony.typescript import tools_section
from harness.protocols import ToolSpec
from harness.trajectory import AssistantTurn, Message, ToolCall

CHANNELS_LINE = ("# Valid channels: analysis, commentary, final. "
                 "Channel must be included for every message.")
FUNCTIONS_LINE = "Calls to these tools must go to the commentary channel: 'functions'."


@dataclass(frozen=True)
class HarmonySystem:
    """The fields of Harmony's system message (openai-harmony's ``SystemContent``)."""

    model_identity: str | None = "You are ChatGPT, a large language model trained by OpenAI."
    knowledge_cutoff: str | None = "2024-06"
    conversation_start_date: str | None = None
    reasoning_effort: Literal["low", "medium", "high"] | None = "medium"

    def content(self, *, function_tools: bool) -> str:
        """The system message's text; ``function_tools`` adds the commentary-channel rule."""
        top = [self.model_identity,
               None if self.knowledge_cutoff is None else
               f"Knowledge cutoff: {self.knowledge_cutoff}",
               None if self.conversation_start_date is None else
               f"Current date: {self.conversation_start_date}"]
        lines = [line for line in top if line is not None]
        sections = ["\n".join(lines)] if lines else []
        if self.reasoning_effort is not None:
            sections.append(f"Reasoning: {self.reasoning_effort}")
        sections.append(CHANNELS_LINE + ("\n" + FUNCTIONS_LINE if function_tools else ""))
        return "\n\n".join(sections)


@dataclass(frozen=True)
class Rendering:
    """Rendered Harmony: the pieces, as ``text`` or as ``token_ids()``."""

    pieces: tuple[Piece, ...]

    @cached_property
    def text(self) -> str:
        return "".join(piece.text for piece in self.pieces)

    def token_ids(self) -> list[int]:
        """Token ids of the o200k_harmony vocabulary (loaded offline on first use)."""
        from harness.harmony.vocabulary import harmony_tiktoken

        encoding = harmony_tiktoken()
        ids: list[int] = []
        for piece in self.pieces:
            if piece.special:
                ids.append(SPECIAL_TOKENS[piece.text])
            else:
                ids.extend(encoding.encode_ordinary(piece.text))
        return ids


def developer_content(instructions: str | None, tools: Sequence[ToolSpec]) -> str:
    """The developer message's text: ``# Instructions`` and ``# Tools`` sections."""
    sections = [] if instructions is None else ["# Instructions", instructions]
    if tools:
        sections.append(tools_section(tools))
    return "\n\n".join(sections)


def with_preamble(
    messages: Sequence[Message], tools: Sequence[ToolSpec] = (),
    system: HarmonySystem = HarmonySystem(),
) -> list[Message]:
    """Prepend Harmony's system and developer messages to the harness's messages.

    Leading system or developer messages (the harness's system prompt) become
    the developer message's instructions, joined by blank lines.
    """
    lead = 0
    while lead < len(messages) and messages[lead].role in ("system", "developer"):
        lead += 1
    instructions = "\n\n".join(m.content for m in messages[:lead]) if lead else None
    out = [Message(role="system", content=system.content(function_tools=bool(tools)))]
    if instructions is not None or tools:
        out.append(Message(role="developer", content=developer_content(instructions, tools)))
    return out + list(messages[lead:])


def drop_analysis(messages: Sequence[Message]) -> list[Message]:
    """openai-harmony's ``auto_drop_analysis``: once the last assistant message is a final
    answer, analysis messages before the first final answer are dropped."""
    last = next((m for m in reversed(messages) if m.role == "assistant"), None)
    if last is None or last.channel != "final":
        return list(messages)
    first_final = next(i for i, m in enumerate(messages) if m.channel == "final")
    return [m for i, m in enumerate(messages) if i >= first_final or m.channel != "analysis"]


def _frame(author: str, recipient: str | None, channel: str | None, content: str,
           end: str, *, constrain: bool = False) -> list[Piece]:
    pieces = [Piece(START, True), Piece(author)]
    if recipient is not None:
        pieces.append(Piece(f" to={recipient}"))
    if channel is not None:
        pieces += [Piece(CHANNEL, True), Piece(channel)]
    if constrain:
        pieces += [Piece(" "), Piece(CONSTRAIN, True), Piece("json")]
    pieces += [Piece(MESSAGE, True), Piece(content), Piece(end, True)]
    return pieces


def arguments_json(call: ToolCall) -> str:
    """A tool call's arguments as written in Harmony (``json.dumps``, UTF-8 kept)."""
    return json.dumps(call.arguments, ensure_ascii=False)


def _call(call: ToolCall) -> list[Piece]:
    return _frame("assistant", f"functions.{call.name}", "commentary", arguments_json(call),
                  CALL, constrain=True)


def message_pieces(message: Message, *, last: bool = False) -> list[Piece]:
    """One message's frames; several tool calls become consecutive commentary frames.

    A final answer ends with ``<|return|>`` when ``last``, else with ``<|end|>``.
    """
    if message.role == "tool":
        if not message.name:
            raise HarmonyFormatError("a tool message needs the tool's name")
        return _frame(f"functions.{message.name}", "assistant", "commentary", message.content,
                      END)
    if message.role != "assistant":
        if message.channel is not None or message.tool_calls:
            raise HarmonyFormatError(f"a {message.role} message has no channel or tool calls")
        return _frame(message.role, None, None, message.content, END)
    if message.channel is None:
        raise HarmonyFormatError("an assistant message needs a channel "
                                 "(analysis, commentary or final)")
    pieces: list[Piece] = []
    if message.content or not message.tool_calls:
        end = RETURN if last and message.channel == "final" and not message.tool_calls else END
        pieces = _frame("assistant", None, message.channel, message.content, end)
    for call in message.tool_calls:
        pieces += _call(call)
    return pieces


def _join(pieces: list[Piece]) -> Rendering:
    return Rendering(tuple(piece for piece in pieces if piece.text))


def render_messages(messages: Sequence[Message], *, end_with_return: bool = True) -> Rendering:
    """Render messages as they are (no preamble added); the inverse of ``parse_conversation``.

    ``end_with_return`` ends a final answer that is the last message with
    ``<|return|>`` (training form); otherwise every final answer ends with ``<|end|>``.
    """
    pieces: list[Piece] = []
    for index, message in enumerate(messages):
        pieces += message_pieces(message, last=end_with_return and index == len(messages) - 1)
    return _join(pieces)


def render_conversation(
    messages: Sequence[Message], tools: Sequence[ToolSpec] = (), *,
    system: HarmonySystem = HarmonySystem(), auto_drop_analysis: bool = False,
) -> Rendering:
    """The whole conversation for training, like openai-harmony's
    ``render_conversation_for_training`` (analysis kept unless ``auto_drop_analysis``)."""
    full = with_preamble(messages, tools, system)
    return render_messages(drop_analysis(full) if auto_drop_analysis else full)


def render_prompt(
    messages: Sequence[Message], tools: Sequence[ToolSpec] = (), *,
    system: HarmonySystem = HarmonySystem(), auto_drop_analysis: bool = False,
) -> Rendering:
    """The prompt for the next assistant turn: history ending in ``<|start|>assistant``,
    like openai-harmony's ``render_conversation_for_completion``."""
    full = with_preamble(messages, tools, system)
    history = render_messages(drop_analysis(full) if auto_drop_analysis else full,
                              end_with_return=False)
    return Rendering((*history.pieces, Piece(START, True), Piece("assistant")))


def render_turn(turn: AssistantTurn) -> Rendering:
    """An assistant turn as the model writes it after ``<|start|>assistant``: analysis,
    tool calls, final answer (the completion ``parse_completion`` reads)."""
    pieces: list[Piece] = []
    if turn.analysis:
        pieces += _frame("assistant", None, "analysis", turn.analysis, END)
    for call in turn.tool_calls:
        pieces += _call(call)
    if turn.final is not None:
        pieces += _frame("assistant", None, "final", turn.final, RETURN)
    if pieces:
        pieces = pieces[2:]  # the prompt already holds <|start|>assistant
    return _join(pieces)
