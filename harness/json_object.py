"""Values that must be one JSON object, with one wording for what is wrong with them."""

from __future__ import annotations

import json
from typing import Any

_JSON_TYPES = {dict: "object", list: "array", str: "string", int: "number", float: "number",
               bool: "boolean", type(None): "null"}


class NotAJsonObject(ValueError):
    """The value is not JSON, or not an object; ``line`` is where parsing failed (else 1)."""

    def __init__(self, reason: str, line: int = 1) -> None:
        super().__init__(reason)
        self.line = line


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type (``array`` for a list, ...)."""
    return _JSON_TYPES.get(type(value), type(value).__name__)


def json_object(value: str | bytes | Any) -> dict[str, Any]:
    """``value`` as a JSON object: text is decoded first, a decoded dict is returned as is."""
    if isinstance(value, str | bytes | bytearray):
        try:
            value = json.loads(value)
        except json.JSONDecodeError as exc:
            raise NotAJsonObject(f"expected a JSON object; the text is not valid JSON ({exc.msg}"
                                 f" at line {exc.lineno} column {exc.colno})", exc.lineno) from exc
    if not isinstance(value, dict):
        raise NotAJsonObject(f"expected a JSON object, got a JSON {json_type(value)}")
    return value
