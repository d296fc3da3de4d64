"""Constructors for common graph shapes."""

from __future__ import annotations

import math
from typing import Iterable, Sequence

from routekit.graph.model import Graph, Node


def from_edge_list(edges: Iterable[Sequence], directed: bool = False) -> Graph:
    """Build a graph from ``(u, v)`` or ``(u, v, weight)`` tuples."""
    graph = Graph(directed)
    for edge in edges:
        if len(edge) == 2:
            graph.add_edge(edge[0], edge[1])
        elif len(edge) == 3:
            graph.add_edge(edge[0], edge[1], edge[2])
        else:
            raise ValueError(f"edges must have 2 or 3 items, got {edge!r}")
    return graph


def path_graph(nodes: Sequence[Node], weight: float = 1.0, directed: bool = False) -> Graph:
    """``nodes[0] - nodes[1] - ... - nodes[-1]``."""
    graph = Graph(directed)
    for node in nodes:
        graph.add_node(node)
    for u, v in zip(nodes, nodes[1:]):
        graph.add_edge(u, v, weight)
    return graph


def complete_graph(n: int) -> Graph:
    """Undirected complete graph on nodes ``0 .. n-1``."""
    graph = Graph()
    for i in range(n):
        graph.add_node(i)
        for j in range(i):
            graph.add_edge(j, i)
    return graph


def grid_graph(rows: int, cols: int, diagonal: bool = False) -> Graph:
    """A ``rows x cols`` grid with nodes ``(r, c)`` and a ``pos`` attribute.

    Orthogonal steps have weight 1; with ``diagonal=True`` the diagonal steps
    are added with weight sqrt(2).
    """
    if rows <= 0 or cols <= 0:
        raise ValueError("grid dimensions must be positive")
    graph = Graph()
    for r in range(rows):
        for c in range(cols):
            graph.add_node((r, c), pos=(float(r), float(c)))
    for r in range(rows):
        for c in range(cols):
            if r + 1 < rows:
                graph.add_edge((r, c), (r + 1, c), 1.0)
            if c + 1 < cols:
                graph.add_edge((r, c), (r, c + 1), 1.0)
            if diagonal and r + 1 < rows:
                if c + 1 < cols:
                    graph.add_edge((r, c), (r + 1, c + 1), math.sqrt(2))
                if c - 1 >= 0:
                    graph.add_edge((r, c), (r + 1, c - 1), math.sqrt(2))
    return graph
