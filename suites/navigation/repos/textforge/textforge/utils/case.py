"""Identifier case conversion and title casing."""

from __future__ import annotations

import re
from typing import Collection

_WORD_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|\d+")

SMALL_WORDS = frozenset(
    {"a", "an", "and", "as", "at", "but", "by", "for", "in", "nor", "of", "on", "or", "the", "to", "up", "via"}
)


def split_identifier(name: str) -> list[str]:
    """Split an identifier in any common style into words.

    >>> split_identifier("parseHTTPResponse2")
    ['parse', 'HTTP', 'Response', '2']
    """
    return _WORD_RE.findall(name)


def snake_case(name: str) -> str:
    return "_".join(word.lower() for word in split_identifier(name))


def kebab_case(name: str) -> str:
    return "-".join(word.lower() for word in split_identifier(name))


def constant_case(name: str) -> str:
    return "_".join(word.upper() for word in split_identifier(name))


def pascal_case(name: str) -> str:
    return "".join(word[:1].upper() + word[1:].lower() for word in split_identifier(name))


def camel_case(name: str) -> str:
    pascal = pascal_case(name)
    return pascal[:1].lower() + pascal[1:]


def title_case(text: str, small_words: Collection[str] = SMALL_WORDS) -> str:
    """Headline-style capitalisation.

    Small words (articles, short prepositions and conjunctions) stay lower
    case unless they are the first or the last word.  Words that already
    contain capitals (``iPhone``, ``NASA``) are left untouched.
    """
    words = text.split()
    result = []
    for index, word in enumerate(words):
        if any(ch.isupper() for ch in word):
            result.append(word)
        elif 0 < index < len(words) - 1 and word.lower() in small_words:
            result.append(word.lower())
        else:
            result.append(word[:1].upper() + word[1:])
    return " ".join(result)
