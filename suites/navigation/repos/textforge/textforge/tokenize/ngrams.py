"""Word and character n-grams."""

from __future__ import annotations

from collections import Counter
from typing import Sequence, TypeVar

T = TypeVar("T")


def _check_n(n: int) -> None:
    if n <= 0:
        raise ValueError("n must be a positive integer")


def ngrams(tokens: Sequence[T], n: int) -> list[tuple[T, ...]]:
    """Contiguous ``n``-token windows: ``ngrams("abc", 2) == [("a","b"), ("b","c")]``."""
    _check_n(n)
    return [tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)]


def char_ngrams(text: str, n: int, pad: bool = False, pad_char: str = " ") -> list[str]:
    """Character ``n``-grams of ``text``.

    With ``pad=True`` the text is surrounded by ``n - 1`` copies of
    ``pad_char`` on each side so that boundary characters appear in ``n``
    grams just like inner ones.
    """
    _check_n(n)
    if len(pad_char) != 1:
        raise ValueError("pad_char must be a single character")
    if pad:
        text = pad_char * (n - 1) + text + pad_char * (n - 1)
    return [text[i : i + n] for i in range(len(text) - n + 1)]


def everygrams(tokens: Sequence[T], min_n: int = 1, max_n: int = 3) -> list[tuple[T, ...]]:
    """All n-grams for ``min_n <= n <= max_n``, shortest first."""
    _check_n(min_n)
    if max_n < min_n:
        raise ValueError("max_n must be >= min_n")
    result: list[tuple[T, ...]] = []
    for n in range(min_n, max_n + 1):
        result.extend(ngrams(tokens, n))
    return result


def ngram_counts(tokens: Sequence[T], n: int) -> Counter:
    return Counter(ngrams(tokens, n))


def top_ngrams(tokens: Sequence[T], n: int, k: int = 10) -> list[tuple[tuple[T, ...], int]]:
    """The ``k`` most frequent n-grams; ties keep first-occurrence order."""
    return ngram_counts(tokens, n).most_common(k)
