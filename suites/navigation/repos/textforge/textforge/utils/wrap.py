"""Greedy word wrapping and indentation helpers."""

from __future__ import annotations


def _chunks(word: str, width: int) -> list[str]:
    return [word[i : i + width] for i in range(0, len(word), width)]


def wrap_text(
    text: str,
    width: int = 70,
    initial_indent: str = "",
    subsequent_indent: str = "",
    break_long_words: bool = True,
) -> list[str]:
    """Wrap ``text`` into lines of at most ``width`` characters (indent included).

    Whitespace is normalised.  Words longer than the available width are split
    when ``break_long_words`` is true, otherwise they get a line of their own.
    """
    if width <= max(len(initial_indent), len(subsequent_indent)):
        raise ValueError("width must be larger than the indentation")
    lines: list[str] = []
    current: list[str] = []
    indent = initial_indent
    length = len(indent)
    for word in text.split():
        available = width - len(indent)
        pieces = _chunks(word, available) if break_long_words and len(word) > available else [word]
        for piece in pieces:
            extra = len(piece) + (1 if current else 0)
            if current and length + extra > width:
                lines.append(indent + " ".join(current))
                indent = subsequent_indent
                current, length = [], len(indent)
                extra = len(piece)
            current.append(piece)
            length += extra
    if current:
        lines.append(indent + " ".join(current))
    return lines


def fill(text: str, width: int = 70, **options: str) -> str:
    """Wrap every paragraph (separated by blank lines) and join with newlines."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return "\n\n".join("\n".join(wrap_text(p, width, **options)) for p in paragraphs)


def indent(text: str, prefix: str, skip_blank: bool = True) -> str:
    """Prefix every line of ``text``; blank lines are left alone by default."""
    out = []
    for line in text.split("\n"):
        out.append(line if skip_blank and not line.strip() else prefix + line)
    return "\n".join(out)


def dedent(text: str) -> str:
    """Remove the longest common leading whitespace of all non-blank lines."""
    lines = text.split("\n")
    margins = [len(line) - len(line.lstrip()) for line in lines if line.strip()]
    margin = min(margins) if margins else 0
    return "\n".join(line[margin:] if line.strip() else "" for line in lines)
