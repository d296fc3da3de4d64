"""Splitting template source into text, variable, block and comment tokens."""

from __future__ import annotations

import re
from dataclasses import dataclass

TEXT, VAR, BLOCK = "text", "var", "block"

_OPEN_RE = re.compile(r"\{\{-?|\{%-?|\{#")
_CLOSERS = {"{{": "}}", "{%": "%}", "{#": "#}"}
_KINDS = {"{{": VAR, "{%": BLOCK, "{#": None}


class TemplateSyntaxError(Exception):
    """A malformed template; carries the 1-based line number of the problem."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"{message} (line {line})")
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Token:
    kind: str
    value: str
    line: int


def line_of(source: str, index: int) -> int:
    """1-based line number of the character at ``index``."""
    return source.count("\n", 0, index) + 1


def tokenize_template(source: str) -> list[Token]:
    """Tokenise ``source``.

    ``{{-`` / ``{%-`` strip the whitespace before a tag and ``-}}`` / ``-%}``
    the whitespace after it.  Comments ``{# ... #}`` produce no token.
    """
    tokens: list[Token] = []
    pos = 0
    strip_next = False
    while pos < len(source):
        match = _OPEN_RE.search(source, pos)
        end_of_text = match.start() if match else len(source)
        text, start = source[pos:end_of_text], pos
        if strip_next:
            stripped = text.lstrip()
            start += len(text) - len(stripped)
            text = stripped
        if match and match.group(0).endswith("-"):
            text = text.rstrip()
        if text:
            tokens.append(Token(TEXT, text, line_of(source, start)))
        if not match:
            break
        opener = match.group(0)[:2]
        closer = _CLOSERS[opener]
        close_at = source.find(closer, match.end())
        if close_at == -1:
            raise TemplateSyntaxError(f"unclosed {opener!r} tag", line_of(source, match.start()))
        inner = source[match.end() : close_at]
        strip_next = inner.endswith("-") and opener != "{#"
        if strip_next:
            inner = inner[:-1]
        kind = _KINDS[opener]
        if kind is not None:
            if not inner.strip():
                raise TemplateSyntaxError(f"empty {opener!r} tag", line_of(source, match.start()))
            tokens.append(Token(kind, inner.strip(), line_of(source, match.start())))
        pos = close_at + len(closer)
    return tokens
