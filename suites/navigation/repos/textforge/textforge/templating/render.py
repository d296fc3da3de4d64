"""Evaluating parsed templates against a context."""

from __future__ import annotations

from typing import Any, Mapping, Optional

from textforge.markup.html.escape import escape_html
from textforge.templating.context import Markup, Undefined, resolve
from textforge.templating.filters import apply_filter
from textforge.templating.nodes import Condition, Expression, ForNode, IfNode, OutputNode, Ref, TextNode, referenced_names
from textforge.templating.parser import parse_template


def _evaluate(expr: Expression, scope: Mapping[str, Any]) -> Any:
    value = resolve(expr.value.path, scope) if isinstance(expr.value, Ref) else expr.value
    for name, args in expr.filters:
        resolved = [resolve(a.path, scope) if isinstance(a, Ref) else a for a in args]
        value = apply_filter(name, value, resolved)
    return value


def _test(condition: Condition, scope: Mapping[str, Any]) -> bool:
    left = _evaluate(condition.left, scope)
    if not condition.op:
        result = bool(left)
    else:
        right = _evaluate(condition.right, scope)
        op = condition.op
        if op == "==":
            result = left == right
        elif op == "!=":
            result = left != right
        elif op == "in":
            result = left in right
        elif op == "not in":
            result = left not in right
        else:
            try:
                result = {"<": left < right, ">": left > right, "<=": left <= right, ">=": left >= right}[op]
            except TypeError:
                result = False
    return not result if condition.negate else result


def _to_text(value: Any, autoescape: bool) -> str:
    """Convert an output value to text, escaping it when autoescaping is on."""
    if isinstance(value, Undefined) or value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    text = str(value)
    if autoescape and not isinstance(value, Markup):
        return escape_html(text, quote=True)
    return text


def _loop_info(index: int, length: int) -> dict[str, Any]:
    return {
        "index": index + 1,
        "index0": index,
        "first": index == 0,
        "last": index == length - 1,
        "length": length,
    }


class Template:
    """A compiled template.  ``autoescape=True`` HTML-escapes every output."""

    def __init__(self, source: str, autoescape: bool = False) -> None:
        self.source = source
        self.autoescape = autoescape
        self.nodes = parse_template(source)

    @property
    def variables(self) -> list[str]:
        """Names the template expects in its context."""
        return referenced_names(self.nodes)

    def render(self, context: Optional[Mapping[str, Any]] = None, **kwargs: Any) -> str:
        scope = dict(context or {})
        scope.update(kwargs)
        out: list[str] = []
        self._render(self.nodes, scope, out)
        return "".join(out)

    def _render(self, nodes: list, scope: dict[str, Any], out: list[str]) -> None:
        for node in nodes:
            if isinstance(node, TextNode):
                out.append(node.text)
            elif isinstance(node, OutputNode):
                out.append(_to_text(_evaluate(node.expr, scope), self.autoescape))
            elif isinstance(node, IfNode):
                for condition, body in node.branches:
                    if _test(condition, scope):
                        self._render(body, scope, out)
                        break
                else:
                    self._render(node.else_body, scope, out)
            elif isinstance(node, ForNode):
                items = list(_evaluate(node.iterable, scope) or [])
                if not items:
                    self._render(node.else_body, scope, out)
                for index, item in enumerate(items):
                    inner = dict(scope)
                    inner[node.target] = item
                    inner["loop"] = _loop_info(index, len(items))
                    self._render(node.body, inner, out)


def render_template(source: str, context: Optional[Mapping[str, Any]] = None, autoescape: bool = False, **kwargs: Any) -> str:
    """Compile and render ``source`` in one call."""
    return Template(source, autoescape).render(context, **kwargs)
