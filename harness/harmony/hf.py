"""Messages in the Hugging Face form of TRL's gpt-oss chat template, and back.

An assistant dict carries ``thinking`` (the analysis before it), then either
``tool_calls`` (``{"type": "function", "function": {"name", "arguments"}}``,
arguments a dict) or ``content`` (the final answer). Analysis followed by no
tool call or final answer becomes ``{"role": "assistant", "content": None,
"thinking": ...}``. Tool results are ``{"role": "tool", "name", "content"}``;
call ids travel as ``id`` and ``tool_call_id`` when set.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from harness.harmony.syntax import HarmonyFormatError
from harness.json_object import NotAJsonObject, json_object
from harness.trajectory import Message, ToolCall


def _call_dict(call: ToolCall) -> dict[str, Any]:
    entry: dict[str, Any] = {"type": "function",
                             "function": {"name": call.name, "arguments": call.arguments}}
    if call.call_id:
        entry["id"] = call.call_id
    return entry


def to_hf_messages(messages: Sequence[Message]) -> list[dict[str, Any]]:
    """Harness messages as TRL's gpt-oss messages (analysis attached to the next
    tool call or final answer)."""
    out: list[dict[str, Any]] = []
    thinking: str | None = None

    def flush() -> None:
        nonlocal thinking
        if thinking is not None:
            out.append({"role": "assistant", "content": None, "thinking": thinking})
            thinking = None

    for message in messages:
        if message.role == "assistant" and message.channel == "analysis" and not (
                message.tool_calls):
            flush()
            thinking = message.content
            continue
        if message.role != "assistant":
            flush()
            out.append(_plain(message))
            continue
        entry: dict[str, Any] = {"role": "assistant"}
        if message.tool_calls and not message.content and message.channel == "commentary":
            entry["content"] = ""
            entry["tool_calls"] = [_call_dict(call) for call in message.tool_calls]
        elif message.channel == "final" and not message.tool_calls:
            entry["content"] = message.content
        else:
            raise HarmonyFormatError(
                f"an assistant message on channel {message.channel!r} with "
                f"{len(message.tool_calls)} tool call(s) and content {message.content[:40]!r} "
                "has no Hugging Face form (tool calls alone, or a final answer)")
        if thinking is not None:
            entry["thinking"] = thinking
            thinking = None
        out.append(entry)
    flush()
    return out


def _plain(message: Message) -> dict[str, Any]:
    if message.role == "tool":
        entry: dict[str, Any] = {"role": "tool", "name": message.name, "content": message.content}
        if message.call_id:
            entry["tool_call_id"] = message.call_id
        return entry
    return {"role": message.role, "content": message.content}


def _text(content: Any, where: str) -> str:
    """Content as text: a string, None, or OpenAI-style ``[{"type": "text", "text": ...}]``."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list) and all(
            isinstance(part, Mapping) and isinstance(part.get("text"), str) for part in content):
        return "".join(part["text"] for part in content)
    raise HarmonyFormatError(f"{where}: content must be text, got {type(content).__name__}")


def _tool_call(entry: Any, where: str) -> ToolCall:
    function = entry.get("function", entry) if isinstance(entry, Mapping) else None
    if not isinstance(function, Mapping) or not isinstance(function.get("name"), str):
        raise HarmonyFormatError(f"{where}: a tool call needs function.name, got {entry!r}")
    arguments = function.get("arguments", {})
    if isinstance(arguments, str) and not arguments.strip():
        arguments = {}
    try:
        arguments = json_object(arguments)
    except NotAJsonObject as error:
        raise HarmonyFormatError(f"{where}: arguments of {function['name']}: {error}") from error
    return ToolCall(name=function["name"], arguments=arguments,
                    call_id=str(entry.get("id") or ""))


def from_hf_messages(messages: Sequence[Mapping[str, Any]]) -> list[Message]:
    """TRL gpt-oss messages as harness messages; a tool result without ``name`` takes
    the name of the matching (by ``tool_call_id``, else next unanswered) call."""
    out: list[Message] = []
    pending: list[ToolCall] = []
    for index, entry in enumerate(messages):
        where = f"message {index}"
        role = entry.get("role")
        if role in ("system", "developer", "user"):
            out.append(Message(role=role, content=_text(entry.get("content"), where)))
        elif role == "tool":
            call_id = str(entry.get("tool_call_id") or "")
            name = entry.get("name")
            match = _answered(pending, call_id, name)
            if match is not None:
                pending.remove(match)
                name = name or match.name
            if not isinstance(name, str):
                raise HarmonyFormatError(f"{where}: a tool result without a name follows no "
                                         "tool call")
            out.append(Message(role="tool", name=name, call_id=call_id,
                               content=_text(entry.get("content"), where)))
        elif role == "assistant":
            turn = _assistant(entry, where)
            out.extend(turn)
            pending = [call for message in turn for call in message.tool_calls] or pending
        else:
            raise HarmonyFormatError(f"{where}: unknown role {role!r}")
    return out


def _answered(pending: list[ToolCall], call_id: str, name: Any) -> ToolCall | None:
    """The call a tool result answers: same id, else same name, else the oldest one."""
    for wanted in ((lambda c: c.call_id == call_id) if call_id else None,
                   (lambda c: c.name == name) if name else None, lambda c: True):
        if wanted is not None:
            match = next((call for call in pending if wanted(call)), None)
            if match is not None:
                return match
    return None


def _assistant(entry: Mapping[str, Any], where: str) -> list[Message]:
    out: list[Message] = []
    thinking = entry.get("thinking")
    content = entry.get("content")
    calls = [_tool_call(call, where) for call in entry.get("tool_calls") or []]
    if calls and content and thinking is None:
        thinking = content  # TRL reads the content of a tool-call message as its analysis
    if thinking is not None:
        out.append(Message(role="assistant", channel="analysis", content=_text(thinking, where)))
    if calls:
        out.append(Message(role="assistant", channel="commentary", tool_calls=calls))
    elif content is not None:
        out.append(Message(role="assistant", channel="final", content=_text(content, where)))
    return out
