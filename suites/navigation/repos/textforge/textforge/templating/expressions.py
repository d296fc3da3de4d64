"""Parsing of the expressions inside tags: values, filter chains and conditions."""

from __future__ import annotations

import re
from typing import Any

from textforge.templating.lexer import TemplateSyntaxError
from textforge.templating.nodes import Condition, Expression, Ref

_NAME_RE = re.compile(r"^[A-Za-z_][\w.]*$")
_NUMBER_RE = re.compile(r"^-?\d+(\.\d+)?$")
_FILTER_RE = re.compile(r"^([A-Za-z_]\w*)\s*(?:\((.*)\))?$", re.S)
_COMPARISON_RE = re.compile(r"^(.+?)\s*(==|!=|<=|>=|<|>|\bnot in\b|\bin\b)\s*(.+)$")


def _split_outside_quotes(text: str, separator: str) -> list[str]:
    parts, current, quote = [], [], None
    for ch in text:
        if quote:
            current.append(ch)
            if ch == quote:
                quote = None
        elif ch in "'\"":
            quote = ch
            current.append(ch)
        elif ch == separator:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _split_filters(text: str) -> list[str]:
    """Split ``"name | f1 | f2('a|b')"`` on pipes that are not inside quotes."""
    parts, current, quote = [], [], None
    for ch in text:
        if quote is None and ch in "'\"":
            quote = ch
        elif ch == quote:
            quote = None
        if ch == "|" and quote is None:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return parts


def parse_literal(text: str, line: int) -> Any:
    """Parse a literal or variable reference used as a value or filter argument."""
    text = text.strip()
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    if _NUMBER_RE.match(text):
        return float(text) if "." in text else int(text)
    if text in ("true", "false", "none"):
        return {"true": True, "false": False, "none": None}[text]
    if _NAME_RE.match(text):
        return Ref(text)
    raise TemplateSyntaxError(f"cannot parse value {text!r}", line)


def parse_expression(text: str, line: int) -> Expression:
    head, *filter_parts = _split_filters(text)
    expr = Expression(parse_literal(head, line))
    for part in filter_parts:
        match = _FILTER_RE.match(part)
        if not match:
            raise TemplateSyntaxError(f"bad filter {part!r}", line)
        name, arg_text = match.group(1), match.group(2)
        args = [parse_literal(a, line) for a in _split_outside_quotes(arg_text, ",")] if arg_text and arg_text.strip() else []
        expr.filters.append((name, args))
    return expr


def _mask_quoted(text: str) -> str:
    """Replace the characters inside quotes with underscores (same length)."""
    out, quote = [], None
    for ch in text:
        if quote:
            out.append(ch if ch == quote else "_")
            if ch == quote:
                quote = None
        else:
            if ch in "'\"":
                quote = ch
            out.append(ch)
    return "".join(out)


def parse_condition(text: str, line: int) -> Condition:
    negate = False
    text = text.strip()
    if text.startswith("not "):
        negate, text = True, text[4:].strip()
    masked = _mask_quoted(text)
    match = _COMPARISON_RE.match(masked)
    if match:
        left, right = text[: match.start(2)], text[match.end(2) :]
        return Condition(parse_expression(left, line), match.group(2), parse_expression(right, line), negate)
    return Condition(parse_expression(text, line), negate=negate)
