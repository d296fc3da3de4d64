"""Template syntax tree nodes and helpers to inspect a parsed template."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, Union


@dataclass(frozen=True)
class Ref:
    """A reference to a variable inside an expression (``user.name``)."""

    path: str


@dataclass
class Expression:
    value: Union[Ref, Any]
    filters: list[tuple[str, list[Any]]] = field(default_factory=list)


@dataclass
class Condition:
    left: Expression
    op: str = ""
    right: Union[Expression, None] = None
    negate: bool = False


@dataclass
class TextNode:
    text: str


@dataclass
class OutputNode:
    expr: Expression
    line: int


@dataclass
class IfNode:
    branches: list[tuple[Condition, list]]
    else_body: list = field(default_factory=list)


@dataclass
class ForNode:
    target: str
    iterable: Expression
    body: list
    else_body: list = field(default_factory=list)


def walk(nodes: list) -> Iterator[Any]:
    """Yield every node of the tree in document order (depth first)."""
    for node in nodes:
        yield node
        if isinstance(node, IfNode):
            for _, body in node.branches:
                yield from walk(body)
            yield from walk(node.else_body)
        elif isinstance(node, ForNode):
            yield from walk(node.body)
            yield from walk(node.else_body)


def _expression_refs(expr: Expression) -> Iterator[str]:
    if isinstance(expr.value, Ref):
        yield expr.value.path
    for _, args in expr.filters:
        for arg in args:
            if isinstance(arg, Ref):
                yield arg.path


def referenced_names(nodes: list) -> list[str]:
    """Top-level context names a template reads, sorted.

    Loop variables (and ``loop``) are excluded inside their ``for`` body.
    """
    names: set[str] = set()

    def visit(items: list, bound: frozenset) -> None:
        for node in items:
            exprs: list[Expression] = []
            if isinstance(node, OutputNode):
                exprs.append(node.expr)
            elif isinstance(node, IfNode):
                for condition, body in node.branches:
                    exprs.append(condition.left)
                    if condition.right is not None:
                        exprs.append(condition.right)
                    visit(body, bound)
                visit(node.else_body, bound)
            elif isinstance(node, ForNode):
                exprs.append(node.iterable)
                visit(node.body, bound | {node.target, "loop"})
                visit(node.else_body, bound)
            for expr in exprs:
                for path in _expression_refs(expr):
                    head = path.split(".")[0]
                    if head not in bound:
                        names.add(head)

    visit(nodes, frozenset())
    return sorted(names)
