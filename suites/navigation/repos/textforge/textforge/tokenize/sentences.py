"""Rule-based sentence splitting that knows about common abbreviations."""

from __future__ import annotations

import re

from textforge.tokenize.words import normalize_whitespace

ABBREVIATIONS = frozenset(
    {"mr", "mrs", "ms", "dr", "prof", "st", "vs", "etc", "e.g", "i.e", "inc", "ltd", "jr", "sr", "no", "fig"}
)

# terminal punctuation, optional closing quotes/brackets, whitespace, then an
# upper-case letter or digit (optionally behind an opening quote/bracket)
_BOUNDARY = re.compile(r"([.!?]+)([\"')\]]*)\s+(?=[\"'(\[]?[A-Z0-9])")


def _is_abbreviation(before: str) -> bool:
    """Does the text ``before`` a period end with a known abbreviation or an initial?"""
    words = before.split()
    if not words:
        return False
    word = words[-1].lstrip("\"'([")
    if len(word) == 1 and word.isalpha():
        return True
    return word.lower() in ABBREVIATIONS


def split_sentences(text: str) -> list[str]:
    """Split ``text`` into sentences; whitespace inside sentences is normalised."""
    text = normalize_whitespace(text)
    sentences: list[str] = []
    start = 0
    for match in _BOUNDARY.finditer(text):
        if match.group(1) == "." and _is_abbreviation(text[start : match.start(1)]):
            continue
        sentences.append(text[start : match.end(2)])
        start = match.end()
    tail = text[start:].strip()
    if tail:
        sentences.append(tail)
    return sentences


def sentence_count(text: str) -> int:
    return len(split_sentences(text))
