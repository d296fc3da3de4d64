"""Shortening text to a length or word budget."""

from __future__ import annotations

ELLIPSIS = "…"


def truncate_chars(text: str, limit: int, ellipsis: str = ELLIPSIS) -> str:
    """Shorten ``text`` to at most ``limit`` characters including ``ellipsis``."""
    if limit < 0:
        raise ValueError("limit must be non-negative")
    if len(text) <= limit:
        return text
    keep = limit - len(ellipsis)
    if keep <= 0:
        return ellipsis[:limit]
    return text[:keep].rstrip() + ellipsis


def truncate_words(text: str, count: int, ellipsis: str = ELLIPSIS) -> str:
    """Keep the first ``count`` words; append ``ellipsis`` only if words were dropped."""
    if count < 0:
        raise ValueError("count must be non-negative")
    words = text.split()
    if len(words) <= count:
        return text.strip()
    return " ".join(words[:count]) + ellipsis


def truncate_middle(text: str, limit: int, marker: str = ELLIPSIS) -> str:
    """Shorten by removing characters from the middle: ``"abcdefgh"`` -> ``"abc…gh"``."""
    if len(text) <= limit:
        return text
    keep = limit - len(marker)
    if keep <= 0:
        return marker[:limit]
    head = (keep + 1) // 2
    tail = keep - head
    return text[:head] + marker + (text[-tail:] if tail else "")
