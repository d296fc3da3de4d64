"""Built-in template filters and the filter registry."""

from __future__ import annotations

from typing import Any, Callable, Optional

from textforge.markup.html.escape import escape_html
from textforge.templating.context import Markup, Undefined
from textforge.utils.case import title_case
from textforge.utils.slug import slugify
from textforge.utils.truncate import truncate_chars, truncate_words
from textforge.utils.wrap import wrap_text

FILTERS: dict[str, Callable[..., Any]] = {}


def register_filter(name: Optional[str] = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorator registering a filter under ``name`` (default: function name)."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        FILTERS[name or func.__name__] = func
        return func

    return decorator


def apply_filter(name: str, value: Any, args: list[Any]) -> Any:
    try:
        func = FILTERS[name]
    except KeyError:
        raise KeyError(f"unknown filter {name!r}") from None
    return func(value, *args)


@register_filter("upper")
def _upper(value: Any) -> str:
    return str(value).upper()


@register_filter("lower")
def _lower(value: Any) -> str:
    return str(value).lower()


@register_filter("title")
def _title(value: Any) -> str:
    return title_case(str(value))


@register_filter("default")
def _default(value: Any, fallback: Any = "", boolean: bool = False) -> Any:
    """``fallback`` for undefined/None values; with ``boolean=True`` also for falsy ones."""
    if isinstance(value, Undefined) or value is None:
        return fallback
    if boolean and not value:
        return fallback
    return value


@register_filter("join")
def _join(value: Any, separator: str = ", ") -> str:
    return separator.join(str(item) for item in value)


@register_filter("length")
def _length(value: Any) -> int:
    return len(value)


@register_filter("first")
def _first(value: Any) -> Any:
    for item in value:
        return item
    return Undefined("first")


@register_filter("truncate")
def _truncate(value: Any, length: int = 80, end: str = "...") -> str:
    return truncate_chars(str(value), int(length), end)


@register_filter("truncatewords")
def _truncatewords(value: Any, count: int = 20, end: str = "…") -> str:
    return truncate_words(str(value), int(count), end)


@register_filter("slugify")
def _slugify(value: Any) -> str:
    return slugify(str(value))


@register_filter("wordwrap")
def _wordwrap(value: Any, width: int = 79) -> str:
    return "\n".join(wrap_text(str(value), int(width)))


@register_filter("replace")
def _replace(value: Any, old: str, new: str) -> str:
    return str(value).replace(old, new)


@register_filter("round")
def _round(value: Any, digits: int = 0) -> Any:
    result = round(float(value), int(digits))
    return int(result) if int(digits) == 0 else result


@register_filter("escape")
def _escape(value: Any) -> Markup:
    if isinstance(value, Markup):
        return value
    return Markup(escape_html(str(value), quote=True))


@register_filter("safe")
def _safe(value: Any) -> Markup:
    return Markup(str(value))
