"""URL slugs."""

from __future__ import annotations

import re
import unicodedata
from typing import Optional

_TRANSLITERATE = str.maketrans({"ß": "ss", "æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d"})


def _to_ascii(text: str) -> str:
    text = text.translate(_TRANSLITERATE)
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def slugify(text: str, separator: str = "-", max_length: Optional[int] = None, lowercase: bool = True) -> str:
    """Turn ``text`` into an ASCII slug such as ``"hello-world"``.

    With ``max_length`` the slug is shortened at a word boundary where
    possible, and never ends with a separator.
    """
    ascii_text = _to_ascii(text)
    if lowercase:
        ascii_text = ascii_text.lower()
    slug = re.sub(r"[^A-Za-z0-9]+", separator, ascii_text).strip(separator)
    if max_length is not None and len(slug) > max_length:
        if max_length <= 0:
            return ""
        head = slug[:max_length]
        if slug[max_length : max_length + len(separator)] != separator:
            cut = head.rfind(separator)
            if cut > 0:
                head = head[:cut]
        slug = head.strip(separator)
    return slug


def unique_slug(text: str, existing: set[str], separator: str = "-", max_length: Optional[int] = None) -> str:
    """Slugify ``text`` and add a numeric suffix (``-2``, ``-3``...) until it is
    not in ``existing``; the result is added to ``existing``."""
    base = slugify(text, separator, max_length)
    candidate = base
    counter = 2
    while candidate in existing:
        candidate = f"{base}{separator}{counter}"
        counter += 1
    existing.add(candidate)
    return candidate
