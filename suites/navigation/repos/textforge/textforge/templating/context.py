"""Runtime values used while rendering: variable lookup, Undefined and Markup."""

from __future__ import annotations

from typing import Any, Mapping


class Undefined:
    """Placeholder for a missing variable: falsy, renders as an empty string."""

    def __init__(self, name: str) -> None:
        self.name = name

    def __bool__(self) -> bool:
        return False

    def __str__(self) -> str:
        return ""

    def __iter__(self):
        return iter(())

    def __len__(self) -> int:
        return 0

    def __repr__(self) -> str:
        return f"Undefined({self.name!r})"


class Markup(str):
    """A string that is already safe HTML and must not be escaped again."""

    def __html__(self) -> str:
        return str(self)


def _lookup(value: Any, segment: str) -> Any:
    if isinstance(value, Mapping):
        if segment in value:
            return value[segment]
    elif isinstance(value, (list, tuple)) and segment.lstrip("-").isdigit():
        index = int(segment)
        if -len(value) <= index < len(value):
            return value[index]
        raise LookupError(segment)
    if hasattr(value, segment) and not segment.startswith("_"):
        return getattr(value, segment)
    raise LookupError(segment)


def resolve(path: str, scope: Mapping[str, Any]) -> Any:
    """Resolve a dotted ``path`` (``user.name``, ``items.0``) against ``scope``.

    Missing names or attributes produce an :class:`Undefined`.
    """
    head, *rest = path.split(".")
    if head not in scope:
        return Undefined(path)
    value = scope[head]
    for segment in rest:
        if isinstance(value, Undefined):
            return value
        try:
            value = _lookup(value, segment)
        except LookupError:
            return Undefined(path)
    return value
