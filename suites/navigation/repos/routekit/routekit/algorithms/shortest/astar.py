"""A* search with pluggable heuristics."""

from __future__ import annotations

import heapq
import math
from itertools import count
from typing import Callable, Optional

from routekit.algorithms.errors import NoPathError
from routekit.algorithms.paths import WeightSpec, reconstruct_path, resolve_weight
from routekit.graph.model import Graph, Node

Heuristic = Callable[[Node, Node], float]


def euclidean_heuristic(graph: Graph, pos_attr: str = "pos") -> Heuristic:
    """Straight-line distance between the ``pos`` attributes of two nodes."""

    def h(node: Node, target: Node) -> float:
        (x1, y1), (x2, y2) = graph.node_data(node)[pos_attr], graph.node_data(target)[pos_attr]
        return math.hypot(x1 - x2, y1 - y2)

    return h


def manhattan_heuristic(graph: Graph, pos_attr: str = "pos") -> Heuristic:
    """L1 distance between ``pos`` attributes (admissible on 4-connected grids)."""

    def h(node: Node, target: Node) -> float:
        (x1, y1), (x2, y2) = graph.node_data(node)[pos_attr], graph.node_data(target)[pos_attr]
        return abs(x1 - x2) + abs(y1 - y2)

    return h


def astar_path(
    graph: Graph,
    source: Node,
    target: Node,
    heuristic: Optional[Heuristic] = None,
    weight: WeightSpec = None,
) -> tuple[list[Node], float]:
    """``(path, cost)`` of a minimum-cost path.

    With an admissible heuristic (one that never overestimates the remaining
    cost) the result is optimal.  Without a heuristic this is Dijkstra.
    """
    for node in (source, target):
        if node not in graph:
            raise KeyError(f"node {node!r} is not in the graph")
    h = heuristic or (lambda node, goal: 0.0)
    weight_of = resolve_weight(graph, weight)
    tie = count()
    open_heap = [(h(source, target), 0.0, next(tie), source)]
    g_score: dict[Node, float] = {source: 0.0}
    pred: dict[Node, Optional[Node]] = {source: None}
    closed: set[Node] = set()
    while open_heap:
        _, g, _, u = heapq.heappop(open_heap)
        if u in closed:
            continue
        if u == target:
            return reconstruct_path(pred, source, target), g
        closed.add(u)
        for v in graph.neighbors(u):
            tentative = g + weight_of(u, v)
            if v not in closed and tentative < g_score.get(v, float("inf")):
                g_score[v] = tentative
                pred[v] = u
                heapq.heappush(open_heap, (tentative + h(v, target), tentative, next(tie), v))
    raise NoPathError(f"no path from {source!r} to {target!r}")
