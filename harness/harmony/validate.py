"""Check Harmony text (or token ids) and list every problem found."""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence

from harness.harmony.parse import frame_to_message
from harness.harmony.syntax import RETURN, HarmonyFormatError, read_frames, to_pieces


def validate_harmony_format(
    source: str | Sequence[int], *, tool_names: Collection[str] | None = None
) -> list[str]:
    """Problems of a rendered conversation, each naming its message; empty when valid.

    Checks frames (``<|start|>`` ... ``<|message|>`` ... end token), authors,
    channels, tool calls (``functions.*`` on commentary, JSON object arguments,
    ``<|call|>``), final answers (``<|return|>`` only last), results following calls.
    """
    frames = read_frames(to_pieces(source))
    if not frames.frames and frames.problem is None:
        return ["no messages"]
    problems: list[str] = []
    pending: Counter[str] = Counter()
    last = len(frames.frames) if frames.problem is None else -1
    for index, frame in enumerate(frames.frames, 1):
        try:
            message = frame_to_message(frame, tool_names=tool_names)
        except HarmonyFormatError as error:
            problems.append(f"message {index}: {error}")
            continue
        if frame.end == RETURN and index != last:
            problems.append(f"message {index}: {RETURN} ends generation, so only the last "
                            "message may end with it (earlier final answers end with <|end|>)")
        pending.update(call.name for call in message.tool_calls)
        if message.role == "tool" and message.name is not None:
            if pending[message.name] == 0:
                problems.append(f"message {index}: result of functions.{message.name} "
                                "without an earlier call to it")
            else:
                pending[message.name] -= 1
    if frames.problem is not None:
        problems.append(f"after message {len(frames.frames)}: {frames.problem}")
    return problems
