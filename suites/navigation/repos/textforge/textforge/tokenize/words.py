"""Word tokenisation.

Words may contain internal apostrophes (``don't``) and hyphens
(``well-known``); numbers keep their decimal or thousands separators
(``3.14``, ``1,000``).
"""

from __future__ import annotations

import re

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)+|\w+(?:['’]\w+)*(?:-\w+)*|[^\w\s]")


def tokenize_words(text: str, lowercase: bool = False, keep_punct: bool = False) -> list[str]:
    """Split ``text`` into word tokens (and punctuation tokens with ``keep_punct``)."""
    tokens = []
    for match in _TOKEN_RE.finditer(text):
        token = match.group(0)
        if not keep_punct and not is_word(token):
            continue
        tokens.append(token.lower() if lowercase else token)
    return tokens


def is_word(token: str) -> bool:
    """True if ``token`` contains at least one letter or digit."""
    return any(ch.isalnum() for ch in token)


def word_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` offsets of every word token in ``text``."""
    return [m.span() for m in _TOKEN_RE.finditer(text) if is_word(m.group(0))]


def count_words(text: str) -> int:
    return len(word_spans(text))


def normalize_whitespace(text: str) -> str:
    """Collapse runs of whitespace into single spaces and strip the ends."""
    return " ".join(text.split())
