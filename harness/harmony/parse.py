"""Read Harmony back: a model's completion into an ``AssistantTurn``, a conversation
into messages.

Completions never raise: what cannot be read becomes
``AssistantTurn(format_error=...)`` keeping the analysis read before the problem.
Conversations raise ``HarmonyFormatError``. Text is split at anything shaped
like a special token; token ids are exact.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import cast

from harness.harmony.syntax import (
    CALL,
    CHANNELS,
    CONSTRAIN,
    END,
    RETURN,
    Frame,
    HarmonyFormatError,
    Piece,
    parse_header,
    read_frames,
    to_pieces,
)
from harness.json_object import NotAJsonObject, json_object
from harness.trajectory import AssistantTurn, Channel, Message, Role, ToolCall

_JSON_CONTENT_TYPES = (None, "json", f"{CONSTRAIN}json")


def _tool_name(address: str, tool_names: Collection[str] | None, what: str) -> str:
    name = address.removeprefix("functions.")
    if not address.startswith("functions.") or not name:
        raise HarmonyFormatError(f"unknown {what} {address!r}: expected functions.<tool name>")
    if tool_names is not None and name not in tool_names:
        known = ", ".join(sorted(tool_names)) or "none"
        raise HarmonyFormatError(f"unknown {what} {address!r}: no tool named {name!r} "
                                 f"(tools: {known})")
    return name


def _tool_call(frame: Frame, recipient: str, channel: str, content_type: str | None,
               tool_names: Collection[str] | None) -> Message:
    name = _tool_name(recipient, tool_names, "recipient")
    if channel != "commentary":
        raise HarmonyFormatError(f"tool call to {recipient} on the {channel} channel; "
                                 "tool calls go to commentary")
    if content_type not in _JSON_CONTENT_TYPES:
        raise HarmonyFormatError(f"tool call to {recipient} has content type {content_type!r}, "
                                 f"not {CONSTRAIN}json")
    if frame.end != CALL:
        raise HarmonyFormatError(f"tool call to {recipient} ends with {frame.end} "
                                 f"instead of {CALL}")
    try:
        arguments = json_object(frame.content)
    except NotAJsonObject as error:
        raise HarmonyFormatError(f"tool call to {recipient}: arguments: {error}") from error
    return Message(role="assistant", channel="commentary",
                   tool_calls=[ToolCall(name=name, arguments=arguments)])


def frame_to_message(frame: Frame, *, tool_names: Collection[str] | None = None) -> Message:
    """One frame as a harness message; ``tool_names`` restricts the tools named."""
    header = parse_header(frame.header)
    author, channel = header.author, header.channel
    if author in ("system", "developer", "user"):
        if channel is not None or header.recipient is not None or header.content_type:
            raise HarmonyFormatError(f"a {author} message has no channel, recipient or "
                                     f"content type: {frame.header!r}")
        if frame.end != END:
            raise HarmonyFormatError(f"a {author} message ends with {frame.end} instead of {END}")
        return Message(role=cast(Role, author), content=frame.content)
    if author.startswith("functions."):
        name = _tool_name(author, tool_names, "tool")
        if (header.recipient, channel, header.content_type) != ("assistant", "commentary", None):
            raise HarmonyFormatError(f"a tool result is written '{author} to=assistant"
                                     f"<|channel|>commentary', not {frame.header!r}")
        if frame.end != END:
            raise HarmonyFormatError(f"a tool result ends with {frame.end} instead of {END}")
        return Message(role="tool", name=name, content=frame.content)
    if author != "assistant":
        raise HarmonyFormatError(f"unknown author {author!r}: expected system, developer, "
                                 "user, assistant or functions.<tool name>")
    if channel is None:
        raise HarmonyFormatError("an assistant message has no channel: expected "
                                 "<|channel|>analysis, commentary or final")
    if channel not in CHANNELS:
        raise HarmonyFormatError(f"unknown channel {channel!r}: expected analysis, "
                                 "commentary or final")
    if header.recipient is not None:
        return _tool_call(frame, header.recipient, channel, header.content_type, tool_names)
    if header.content_type is not None:
        raise HarmonyFormatError(f"content type {header.content_type!r} on a {channel} message "
                                 "that is not a tool call")
    ends = (RETURN, END) if channel == "final" else (END,)
    if frame.end not in ends:
        raise HarmonyFormatError(f"the {channel} message ends with {frame.end} instead of "
                                 f"{' or '.join(ends)}")
    return Message(role="assistant", channel=cast(Channel, channel), content=frame.content)


def parse_conversation(
    source: str | Sequence[int], *, tool_names: Collection[str] | None = None
) -> list[Message]:
    """Messages of a rendered conversation; consecutive tool calls join one message.

    Raises ``HarmonyFormatError`` naming the first problem.
    """
    frames = read_frames(to_pieces(source))
    if frames.problem is not None:
        raise HarmonyFormatError(f"after message {len(frames.frames)}: {frames.problem}")
    messages: list[Message] = []
    for index, frame in enumerate(frames.frames, 1):
        try:
            message = frame_to_message(frame, tool_names=tool_names)
        except HarmonyFormatError as error:
            raise HarmonyFormatError(f"message {index}: {error}") from error
        previous = messages[-1] if messages else None
        if (message.tool_calls and previous is not None and previous.tool_calls
                and not previous.content):
            previous.tool_calls.extend(message.tool_calls)
        else:
            messages.append(message)
    return messages


def parse_completion(
    completion: str | Sequence[int], *, tool_names: Collection[str] | None = None
) -> AssistantTurn:
    """The assistant turn in a completion that follows ``<|start|>assistant``.

    The completion may also begin with ``<|start|>assistant`` and may hold
    several messages. Commentary text without a recipient (a preamble) joins the
    analysis. The end token (``<|call|>``, ``<|return|>``) must be included: a
    server that strips stop tokens should add it back. Never raises: problems
    become ``format_error``.
    """
    try:
        pieces = to_pieces(completion)
    except HarmonyFormatError as error:
        return AssistantTurn(format_error=str(error), raw=f"token ids {list(completion)}")
    raw = "".join(piece.text for piece in pieces)
    if not raw.strip():
        return AssistantTurn(format_error="empty completion", raw=raw)
    return _read_turn(pieces, tool_names).model_copy(update={"raw": raw})


def _read_turn(pieces: Sequence[Piece], tool_names: Collection[str] | None) -> AssistantTurn:
    """The turn in the pieces of a non-empty completion (see ``parse_completion``)."""
    frames = read_frames(pieces, open_header="assistant")
    analysis: list[str] = []
    calls: list[ToolCall] = []
    final: str | None = None
    problem = None
    for frame in frames.frames:
        try:
            message = frame_to_message(frame, tool_names=tool_names)
        except HarmonyFormatError as error:
            problem = str(error)
            break
        if message.role != "assistant":
            problem = f"the completion holds a {message.role} message; only the assistant writes"
            break
        if message.channel == "final":
            if final is not None:
                problem = "more than one final answer"
                break
            final = message.content
        elif message.tool_calls:
            calls.extend(message.tool_calls)
        else:
            analysis.append(message.content)
    problem = problem or frames.problem
    if problem is not None:
        return AssistantTurn(analysis="\n".join(analysis), format_error=problem)
    return AssistantTurn(analysis="\n".join(analysis), tool_calls=calls, final=final)
