"""HTML escaping and unescaping."""

from __future__ import annotations

import re

_BASIC_ESCAPES = (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"))
_QUOTE_ESCAPES = (('"', "&quot;"), ("'", "&#x27;"))
_NAMED_ENTITIES = (
    ("&lt;", "<"),
    ("&gt;", ">"),
    ("&quot;", '"'),
    ("&apos;", "'"),
    ("&nbsp;", "\xa0"),
)
_NUMERIC_ENTITY = re.compile(r"&#(x[0-9a-fA-F]+|\d+);")
_TAG_RE = re.compile(r"<[^>]*>")


def escape_html(text: str, quote: bool = False) -> str:
    """Escape ``&``, ``<`` and ``>``; with ``quote=True`` also both quote characters.

    Use ``quote=True`` for anything that may end up inside an attribute value.
    """
    result = str(text)
    for char, entity in _BASIC_ESCAPES:
        result = result.replace(char, entity)
    if quote:
        for char, entity in _QUOTE_ESCAPES:
            result = result.replace(char, entity)
    return result


def escape_attr(text: str) -> str:
    """Escape a value for use inside a double- or single-quoted attribute."""
    return escape_html(text, quote=True)


def _decode_numeric(match: re.Match) -> str:
    body = match.group(1)
    code = int(body[1:], 16) if body[0] in "xX" else int(body)
    try:
        return chr(code)
    except (ValueError, OverflowError):
        return match.group(0)


def unescape_html(text: str) -> str:
    """Inverse of :func:`escape_html` for named and numeric character references.

    ``&amp;`` is decoded last so that an escaped entity such as ``&amp;lt;``
    becomes the literal text ``&lt;`` rather than ``<``.
    """
    result = _NUMERIC_ENTITY.sub(_decode_numeric, str(text))
    for entity, char in _NAMED_ENTITIES:
        result = result.replace(entity, char)
    return result.replace("&amp;", "&")


def strip_tags(html: str) -> str:
    """Remove tags and decode entities, collapsing whitespace."""
    return " ".join(unescape_html(_TAG_RE.sub(" ", html)).split())
