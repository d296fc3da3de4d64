"""Edit distance and set-based similarity measures."""

from __future__ import annotations

from typing import Iterable, Sequence

from textforge.tokenize.words import tokenize_words


def levenshtein(a: str, b: str) -> int:
    """Minimum number of single-character insertions, deletions and substitutions."""
    if len(a) < len(b):
        a, b = b, a
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def similarity_ratio(a: str, b: str) -> float:
    """``1 - distance / max(len)``; two empty strings are identical (1.0)."""
    longest = max(len(a), len(b))
    if longest == 0:
        return 1.0
    return 1.0 - levenshtein(a, b) / longest


def jaccard(a: Iterable[str], b: Iterable[str]) -> float:
    """Jaccard index of two collections treated as sets; 1.0 if both are empty."""
    set_a, set_b = set(a), set(b)
    union = set_a | set_b
    if not union:
        return 1.0
    return len(set_a & set_b) / len(union)


def text_similarity(a: str, b: str) -> float:
    """Jaccard similarity of the lower-cased word sets of two texts."""
    return jaccard(tokenize_words(a, lowercase=True), tokenize_words(b, lowercase=True))


def closest_matches(word: str, candidates: Sequence[str], n: int = 3, cutoff: float = 0.6) -> list[str]:
    """Up to ``n`` candidates with similarity >= ``cutoff``, best first.

    Equal scores keep the order of ``candidates``.
    """
    scored = [(similarity_ratio(word, c), i, c) for i, c in enumerate(candidates)]
    good = [item for item in scored if item[0] >= cutoff]
    good.sort(key=lambda item: (-item[0], item[1]))
    return [c for _, _, c in good[:n]]
