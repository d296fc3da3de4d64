"""Dijkstra's algorithm for graphs with non-negative weights."""

from __future__ import annotations

import heapq
from itertools import count
from typing import Iterable, Optional

from routekit.algorithms.errors import NegativeWeightError, NoPathError
from routekit.algorithms.paths import WeightSpec, reconstruct_path, resolve_weight
from routekit.graph.model import Graph, Node


def _check_node(graph: Graph, node: Node) -> None:
    if node not in graph:
        raise KeyError(f"node {node!r} is not in the graph")


def dijkstra(
    graph: Graph, source: Node, weight: WeightSpec = None, target: Optional[Node] = None
) -> tuple[dict[Node, float], dict[Node, Optional[Node]]]:
    """Distances and predecessors from ``source``.

    Stops early once ``target`` is settled.  Raises :class:`NegativeWeightError`
    as soon as a negative edge weight is encountered.
    """
    _check_node(graph, source)
    weight_of = resolve_weight(graph, weight)
    dist: dict[Node, float] = {}
    best: dict[Node, float] = {source: 0.0}
    pred: dict[Node, Optional[Node]] = {source: None}
    tie = count()
    heap = [(0.0, next(tie), source)]
    while heap:
        d, _, u = heapq.heappop(heap)
        if u in dist:
            continue
        dist[u] = d
        if u == target:
            break
        for v in graph.neighbors(u):
            cost = weight_of(u, v)
            if cost < 0:
                raise NegativeWeightError(f"edge {u!r} -> {v!r} has negative weight {cost}")
            candidate = d + cost
            if v not in dist and candidate < best.get(v, float("inf")):
                best[v] = candidate
                pred[v] = u
                heapq.heappush(heap, (candidate, next(tie), v))
    return dist, {node: pred[node] for node in dist}


def shortest_path(graph: Graph, source: Node, target: Node, weight: WeightSpec = None) -> list[Node]:
    """Node list of a minimum-weight path from ``source`` to ``target``."""
    _check_node(graph, target)
    _, pred = dijkstra(graph, source, weight, target)
    path = reconstruct_path(pred, source, target)
    if path is None:
        raise NoPathError(f"no path from {source!r} to {target!r}")
    return path


def shortest_path_length(graph: Graph, source: Node, target: Node, weight: WeightSpec = None) -> float:
    _check_node(graph, target)
    dist, _ = dijkstra(graph, source, weight, target)
    if target not in dist:
        raise NoPathError(f"no path from {source!r} to {target!r}")
    return dist[target]


def multi_source_dijkstra(
    graph: Graph, sources: Iterable[Node], weight: WeightSpec = None
) -> tuple[dict[Node, float], dict[Node, Node]]:
    """Distance to the nearest source and which source that is, for every reachable node."""
    weight_of = resolve_weight(graph, weight)
    dist: dict[Node, float] = {}
    origin: dict[Node, Node] = {}
    tie = count()
    heap = []
    for s in sources:
        _check_node(graph, s)
        heapq.heappush(heap, (0.0, next(tie), s, s))
    while heap:
        d, _, u, src = heapq.heappop(heap)
        if u in dist:
            continue
        dist[u], origin[u] = d, src
        for v in graph.neighbors(u):
            if v not in dist:
                cost = weight_of(u, v)
                if cost < 0:
                    raise NegativeWeightError(f"edge {u!r} -> {v!r} has negative weight {cost}")
                heapq.heappush(heap, (d + cost, next(tie), v, src))
    return dist, origin
