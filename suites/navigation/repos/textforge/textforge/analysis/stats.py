"""Word statistics and readability."""

from __future__ import annotations

import re
from collections import Counter
from typing import Iterable, Optional

from textforge.tokenize.sentences import split_sentences
from textforge.tokenize.words import tokenize_words

_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def word_frequencies(
    text: str, stopwords: Optional[Iterable[str]] = None, top: Optional[int] = None
) -> list[tuple[str, int]]:
    """Case-insensitive word counts, most frequent first, ties alphabetical."""
    stop = {w.lower() for w in stopwords} if stopwords else set()
    counts = Counter(w for w in tokenize_words(text, lowercase=True) if w not in stop)
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return ranked[:top] if top is not None else ranked


def count_syllables(word: str) -> int:
    """Heuristic English syllable count (at least 1 for any word)."""
    word = word.lower().strip("'’")
    if not word:
        return 0
    groups = len(_VOWEL_GROUPS.findall(word))
    if word.endswith("e") and not word.endswith(("le", "ee", "ye")) and groups > 1:
        groups -= 1
    return max(1, groups)


def lexical_diversity(text: str) -> float:
    """Distinct words divided by total words (0.0 for empty text)."""
    words = tokenize_words(text, lowercase=True)
    return len(set(words)) / len(words) if words else 0.0


def average_sentence_length(text: str) -> float:
    sentences = split_sentences(text)
    if not sentences:
        return 0.0
    return sum(len(tokenize_words(s)) for s in sentences) / len(sentences)


def flesch_reading_ease(text: str) -> float:
    """Flesch reading-ease score (higher is easier), rounded to one decimal."""
    words = tokenize_words(text)
    sentences = split_sentences(text)
    if not words or not sentences:
        return 0.0
    syllables = sum(count_syllables(w) for w in words)
    score = 206.835 - 1.015 * (len(words) / len(sentences)) - 84.6 * (syllables / len(words))
    return round(score, 1)
