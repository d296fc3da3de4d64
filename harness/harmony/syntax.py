"""Harmony's surface syntax: special tokens, pieces, message frames and headers.

A conversation is a run of frames ``<|start|>{header}<|message|>{content}{end}``
where ``end`` is ``<|end|>``, ``<|call|>`` or ``<|return|>``. Headers hold the
author, an optional ``to=`` recipient, ``<|channel|>{channel}`` and a content
type such as ``<|constrain|>json``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

from harness.errors import HarnessError

START, END, MESSAGE, CHANNEL = "<|start|>", "<|end|>", "<|message|>", "<|channel|>"
CONSTRAIN, CALL, RETURN = "<|constrain|>", "<|call|>", "<|return|>"
SPECIAL_TOKENS: dict[str, int] = {
    RETURN: 200002, CONSTRAIN: 200003, CHANNEL: 200005, START: 200006, END: 200007,
    MESSAGE: 200008, CALL: 200012,
}
TERMINATORS = (END, CALL, RETURN)
CHANNELS = ("analysis", "commentary", "final")
SPECIAL_PATTERN = re.compile(r"<\|[A-Za-z0-9_]+\|>")


class HarmonyFormatError(HarnessError, ValueError):
    """Text or tokens that are not well-formed Harmony."""


class Piece(NamedTuple):
    """A run of ordinary text, or one special token (``special=True``)."""

    text: str
    special: bool = False


@dataclass(frozen=True)
class Frame:
    """One message as written: its header, content and end token (``None`` if cut off)."""

    header: str
    content: str
    end: str | None


@dataclass(frozen=True)
class Header:
    """A parsed header: author (``assistant``, ``functions.read_file``...), recipient..."""

    author: str
    recipient: str | None = None
    channel: str | None = None
    content_type: str | None = None


@dataclass(frozen=True)
class Frames:
    """The complete frames read, and the first structural problem met (reading stops there)."""

    frames: list[Frame]
    problem: str | None = None


def pieces_from_text(text: str) -> list[Piece]:
    """Split text at anything shaped like a special token (``<|name|>``)."""
    pieces: list[Piece] = []
    position = 0
    for match in SPECIAL_PATTERN.finditer(text):
        if match.start() > position:
            pieces.append(Piece(text[position:match.start()]))
        pieces.append(Piece(match.group(), special=True))
        position = match.end()
    if position < len(text):
        pieces.append(Piece(text[position:]))
    return pieces


def pieces_from_tokens(token_ids: Sequence[int]) -> list[Piece]:
    """Decode token ids: runs of ordinary tokens become text, special tokens stay apart."""
    from harness.harmony.vocabulary import harmony_tiktoken

    encoding = harmony_tiktoken()
    special_ids = {encoding.encode_single_token(name) for name in encoding.special_tokens_set}
    pieces: list[Piece] = []
    run: list[int] = []
    for token in token_ids:
        if not 0 <= token < encoding.n_vocab:
            raise HarmonyFormatError(f"token id {token} is outside the o200k_harmony vocabulary")
        if token in special_ids:
            if run:
                pieces.append(Piece(encoding.decode(run, errors="replace")))
                run = []
            pieces.append(Piece(encoding.decode_single_token_bytes(token).decode(), special=True))
        else:
            run.append(token)
    if run:
        pieces.append(Piece(encoding.decode(run, errors="replace")))
    return pieces


def to_pieces(source: str | Sequence[int]) -> list[Piece]:
    """Pieces of Harmony given as text or as token ids."""
    return pieces_from_text(source) if isinstance(source, str) else pieces_from_tokens(source)


def _excerpt(text: str, limit: int = 40) -> str:
    return repr(text if len(text) <= limit else text[:limit] + "...")


def read_frames(pieces: Sequence[Piece], *, open_header: str | None = None) -> Frames:
    """Cut pieces into frames, stopping at the first structural problem.

    With ``open_header`` the pieces may begin inside a header that ``<|start|>``
    and ``open_header`` (e.g. ``assistant``) began, as a completion does.
    """
    frames: list[Frame] = []
    header: list[str] | None = None
    content: list[str] | None = None
    if open_header is not None and not (pieces and pieces[0] == Piece(START, True)):
        first = pieces[0].text if pieces and not pieces[0].special else ""
        header = [] if first.startswith(open_header) else [open_header]
    for piece in pieces:
        if content is not None:
            assert header is not None
            if piece.special and piece.text in TERMINATORS:
                frames.append(Frame("".join(header), "".join(content), piece.text))
                header = content = None
            elif piece.special:
                where = "before its end token" if piece.text == START else "in its content"
                return Frames(frames, f"message {_excerpt(''.join(header))} has "
                                      f"{piece.text} {where}")
            else:
                content.append(piece.text)
        elif header is not None:
            if piece == Piece(MESSAGE, True):
                content = []
            elif not piece.special or piece.text in (CHANNEL, CONSTRAIN):
                header.append(piece.text)
            else:
                return Frames(frames, f"header {_excerpt(''.join(header))} is followed by "
                                      f"{piece.text} instead of {MESSAGE}")
        elif piece == Piece(START, True):
            header = []
        else:
            return Frames(frames, f"{_excerpt(piece.text)} outside a message "
                                  f"(messages begin with {START})")
    if content is not None:
        assert header is not None
        return Frames(frames, f"truncated: message {_excerpt(''.join(header))} has no "
                              f"{CALL}, {RETURN} or {END}")
    if header is not None:
        return Frames(frames, f"truncated: header {_excerpt(''.join(header))} has no {MESSAGE}")
    return Frames(frames)


def parse_header(text: str) -> Header:
    """Read ``author[ to=R][<|channel|>channel[ to=R][ content-type]]``."""
    if text.count(CHANNEL) > 1:
        raise HarmonyFormatError(f"header {_excerpt(text)} has more than one {CHANNEL}")
    before, has_channel, after = text.partition(CHANNEL)
    words = before.split()
    if not words or words[0].startswith("to="):
        raise HarmonyFormatError(f"header {_excerpt(text)} names no author")
    author, *rest = words
    recipient: str | None = None
    channel: str | None = None
    content_type: str | None = None
    for word in rest:
        if not word.startswith("to="):
            raise HarmonyFormatError(f"header {_excerpt(text)}: unexpected {word!r} before "
                                     f"{CHANNEL}")
        recipient = word[3:]
    if has_channel:
        words = after.replace(CONSTRAIN, " " + CONSTRAIN).split()
        if not words or words[0].startswith(("to=", CONSTRAIN)):
            raise HarmonyFormatError(f"header {_excerpt(text)} has an empty channel")
        channel, *rest = words
        for word in rest:
            if word.startswith("to="):
                if recipient is not None:
                    raise HarmonyFormatError(f"header {_excerpt(text)} has two recipients")
                recipient = word[3:]
            elif content_type is None:
                content_type = word
            else:
                raise HarmonyFormatError(f"header {_excerpt(text)} has two content types")
    if recipient == "":
        raise HarmonyFormatError(f"header {_excerpt(text)} has an empty recipient (to=)")
    return Header(author, recipient, channel, content_type)
