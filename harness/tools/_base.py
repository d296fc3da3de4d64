"""What every tool shares: a spec, argument checking against it, and bounded output."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from harness.errors import ToolError
from harness.protocols import Sandbox, ToolSpec

OBSERVATION_LIMIT = 12_000
_JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,), "integer": (int,), "number": (int, float), "boolean": (bool,),
    "array": (list,), "object": (dict,),
}


@dataclass(frozen=True)
class FunctionTool:
    """A tool made of a spec and a function ``(sandbox, **arguments) -> str``."""

    spec: ToolSpec
    function: Callable[..., str]

    def __call__(self, sandbox: Sandbox, arguments: dict[str, Any]) -> str:
        check_arguments(self.spec, arguments)
        return bound_text(self.function(sandbox, **arguments))


def check_arguments(spec: ToolSpec, arguments: dict[str, Any]) -> None:
    """Raise ``ToolError`` (shown to the model) when arguments do not fit the schema."""
    properties: dict[str, Any] = spec.parameters.get("properties", {})
    for name, value in arguments.items():
        if _has_lone_surrogate(name) or _has_lone_surrogate(value):
            raise ToolError(f"{spec.name}: argument {name!r} holds text that is not valid "
                            "Unicode (a lone surrogate); send UTF-8 text")
    missing = [name for name in spec.parameters.get("required", []) if name not in arguments]
    if missing:
        raise ToolError(f"{spec.name}: missing required argument(s) {', '.join(missing)}")
    for name, value in arguments.items():
        if name not in properties:
            raise ToolError(f"{spec.name}: unknown argument {name!r}; "
                            f"expected one of {', '.join(properties) or 'none'}")
        expected = properties[name].get("type")
        python_types = _JSON_TYPES.get(expected, (object,))
        wrong_bool = isinstance(value, bool) and expected in ("integer", "number")
        if not isinstance(value, python_types) or wrong_bool:
            raise ToolError(f"{spec.name}: argument {name!r} must be {expected}, "
                            f"got {type(value).__name__}")


def _has_lone_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return True
        return False
    if isinstance(value, dict):
        return any(_has_lone_surrogate(k) or _has_lone_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_lone_surrogate(item) for item in value)
    return False


def bound_text(text: str, limit: int = OBSERVATION_LIMIT) -> str:
    """Keep the head and tail of long output, saying how much was cut."""
    if len(text) <= limit:
        return text
    head = max(limit, 0) // 2
    tail = max(limit, 0) - head
    omitted = len(text) - head - tail
    return f"{text[:head]}\n[... {omitted} characters omitted ...]\n{text[len(text) - tail:]}"


def spec(name: str, description: str, properties: dict[str, Any],
         required: tuple[str, ...] = ()) -> ToolSpec:
    """Build a ToolSpec with an object schema."""
    return ToolSpec(name, description, {
        "type": "object", "properties": properties, "required": list(required),
        "additionalProperties": False})
