"""What a run stores is always writable and never unbounded.

A case's bytes reach records as text: an 82 MB patch, lone surrogates from a model's
JSON, bytes that were not UTF-8 (kept by ``surrogateescape``). ``storable`` makes any
such value JSON-safe: surrogates become their ``\\udcxx`` escapes, and a string longer
than ``STRING_LIMIT`` keeps its head and says how long it was.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import BaseModel

STRING_LIMIT = 512 << 10


def storable_text(text: str, limit: int = STRING_LIMIT) -> str:
    """``text`` with lone surrogates escaped, cut to ``limit`` characters (saying so)."""
    if len(text) > limit:
        text = f"{text[:limit]}\n[... cut by the harness: {len(text)} characters in all]"
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


def storable(value: Any) -> Any:
    """A JSON value with every string made storable (dictionary keys too)."""
    if isinstance(value, str):
        return storable_text(value)
    if isinstance(value, dict):
        return {storable_text(str(key)): storable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [storable(item) for item in value]
    return value


def dump_json(model: BaseModel, indent: int | None = None) -> str:
    """The model as JSON that can always be written as UTF-8, with bounded strings (dumped
    in Python mode first: pydantic's JSON mode itself fails on a lone surrogate in a key)."""
    return json.dumps(storable(model.model_dump()), ensure_ascii=False, indent=indent,
                      default=str)
