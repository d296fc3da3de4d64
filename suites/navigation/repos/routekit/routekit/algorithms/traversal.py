"""Breadth-first and depth-first traversal, topological ordering and cycles."""

from __future__ import annotations

from collections import deque
from typing import Optional

from routekit.algorithms.errors import CycleError
from routekit.graph.model import Graph, Node


def bfs_order(graph: Graph, source: Node) -> list[Node]:
    """Nodes reachable from ``source`` in breadth-first order."""
    return [node for layer in bfs_layers(graph, source) for node in layer]


def bfs_layers(graph: Graph, source: Node, max_depth: Optional[int] = None) -> list[list[Node]]:
    """Nodes grouped by hop distance from ``source``; layer 0 is ``[source]``.

    With ``max_depth`` only layers ``0 .. max_depth`` (inclusive) are returned.
    """
    if source not in graph:
        raise KeyError(f"node {source!r} is not in the graph")
    layers = [[source]]
    seen = {source}
    while True:
        if max_depth is not None and len(layers) > max_depth:
            break
        frontier = []
        for u in layers[-1]:
            for v in graph.neighbors(u):
                if v not in seen:
                    seen.add(v)
                    frontier.append(v)
        if not frontier:
            break
        layers.append(frontier)
    return layers


def nodes_within(graph: Graph, source: Node, hops: int) -> set[Node]:
    """Every node at most ``hops`` edges away from ``source`` (including it)."""
    return {node for layer in bfs_layers(graph, source, max_depth=hops) for node in layer}


def dfs_order(graph: Graph, source: Node) -> list[Node]:
    """Depth-first preorder; neighbours are visited in insertion order."""
    if source not in graph:
        raise KeyError(f"node {source!r} is not in the graph")
    order: list[Node] = []
    seen: set[Node] = set()
    stack = [source]
    while stack:
        u = stack.pop()
        if u in seen:
            continue
        seen.add(u)
        order.append(u)
        stack.extend(reversed([v for v in graph.neighbors(u) if v not in seen]))
    return order


def topological_sort(graph: Graph) -> list[Node]:
    """Kahn's algorithm; ties are broken by node insertion order.

    Raises :class:`CycleError` if the directed graph contains a cycle.
    """
    if not graph.directed:
        raise ValueError("topological_sort requires a directed graph")
    indegree = {node: graph.in_degree(node) for node in graph.nodes()}
    ready = deque(node for node, deg in indegree.items() if deg == 0)
    order: list[Node] = []
    while ready:
        u = ready.popleft()
        order.append(u)
        for v in graph.neighbors(u):
            indegree[v] -= 1
            if indegree[v] == 0:
                ready.append(v)
    if len(order) != len(graph):
        raise CycleError("graph contains at least one cycle")
    return order


def has_cycle(graph: Graph) -> bool:
    """Cycle detection by depth-first colouring (works for both graph kinds)."""
    WHITE, GREY, BLACK = 0, 1, 2
    colour = {node: WHITE for node in graph.nodes()}
    for root in graph.nodes():
        if colour[root] != WHITE:
            continue
        stack: list[tuple[Node, Optional[Node], list[Node]]] = [(root, None, graph.neighbors(root))]
        colour[root] = GREY
        while stack:
            node, parent, pending = stack[-1]
            if not pending:
                colour[node] = BLACK
                stack.pop()
                continue
            nxt = pending.pop(0)
            if not graph.directed and nxt == parent:
                continue
            if colour[nxt] == GREY:
                return True
            if colour[nxt] == WHITE:
                colour[nxt] = GREY
                stack.append((nxt, node, graph.neighbors(nxt)))
    return False
