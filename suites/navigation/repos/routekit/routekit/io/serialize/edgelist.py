"""Whitespace- or delimiter-separated edge lists (``u v [weight]`` per line)."""

from __future__ import annotations

import math
from typing import Optional

from routekit.graph.model import Graph


class EdgeListError(ValueError):
    """Raised for malformed edge-list lines."""


def _parse_weight(token: str, lineno: int) -> float:
    try:
        value = float(token)
    except ValueError:
        raise EdgeListError(f"line {lineno}: invalid weight {token!r}") from None
    if math.isnan(value) or math.isinf(value):
        raise EdgeListError(f"line {lineno}: weight must be finite")
    return value


def parse_edgelist(
    text: str, directed: bool = False, comment: Optional[str] = "#", delimiter: Optional[str] = None
) -> Graph:
    """Parse an edge list.

    Blank lines are ignored and everything after ``comment`` on a line is
    discarded, so ``a b 3  # ferry`` is the edge ``a - b`` with weight 3.
    A line with a single field declares an isolated node.
    """
    graph = Graph(directed)
    for lineno, raw in enumerate(text.splitlines(), start=1):
        line = raw.split(comment, 1)[0].strip() if comment else raw.strip()
        if not line:
            continue
        parts = [p.strip() for p in line.split(delimiter)]
        if len(parts) == 1:
            graph.add_node(parts[0])
        elif len(parts) == 2:
            graph.add_edge(parts[0], parts[1])
        elif len(parts) == 3:
            graph.add_edge(parts[0], parts[1], _parse_weight(parts[2], lineno))
        else:
            raise EdgeListError(f"line {lineno}: expected 1-3 fields, got {len(parts)}")
    return graph


def _format_weight(weight: float) -> str:
    return str(int(weight)) if float(weight).is_integer() else repr(weight)


def format_edgelist(graph: Graph, delimiter: str = " ") -> str:
    """Inverse of :func:`parse_edgelist` for graphs with string nodes."""
    lines = []
    connected = set()
    for u, v, w in graph.edges():
        connected.update((u, v))
        lines.append(delimiter.join((str(u), str(v), _format_weight(w))))
    for node in graph.nodes():
        if node not in connected:
            lines.append(str(node))
    return "\n".join(lines) + ("\n" if lines else "")
