"""Bellman-Ford shortest paths, supporting negative edge weights."""

from __future__ import annotations

from typing import Optional

from routekit.algorithms.errors import NegativeCycleError, NoPathError
from routekit.algorithms.paths import WeightSpec, reconstruct_path, resolve_weight
from routekit.graph.model import Graph, Node


def _directed_edges(graph: Graph) -> list[tuple[Node, Node]]:
    """Every edge in both directions for undirected graphs, as stored otherwise."""
    return [(u, v) for u in graph.nodes() for v in graph.neighbors(u)]


def bellman_ford(
    graph: Graph, source: Node, weight: WeightSpec = None
) -> tuple[dict[Node, float], dict[Node, Optional[Node]]]:
    """Distances and predecessors from ``source``.

    Raises :class:`NegativeCycleError` if a negative cycle is reachable.
    """
    if source not in graph:
        raise KeyError(f"node {source!r} is not in the graph")
    weight_of = resolve_weight(graph, weight)
    edges = _directed_edges(graph)
    dist: dict[Node, float] = {source: 0.0}
    pred: dict[Node, Optional[Node]] = {source: None}
    for _ in range(len(graph) - 1):
        changed = False
        for u, v in edges:
            if u not in dist:
                continue
            candidate = dist[u] + weight_of(u, v)
            if candidate < dist.get(v, float("inf")):
                dist[v] = candidate
                pred[v] = u
                changed = True
        if not changed:
            break
    for u, v in edges:
        if u in dist and dist[u] + weight_of(u, v) < dist.get(v, float("inf")):
            raise NegativeCycleError(f"negative cycle through edge {u!r} -> {v!r}")
    return dist, pred


def bellman_ford_path(graph: Graph, source: Node, target: Node, weight: WeightSpec = None) -> tuple[list[Node], float]:
    """``(path, cost)`` of a minimum-weight path, negative weights allowed."""
    dist, pred = bellman_ford(graph, source, weight)
    path = reconstruct_path(pred, source, target)
    if path is None:
        raise NoPathError(f"no path from {source!r} to {target!r}")
    return path, dist[target]
