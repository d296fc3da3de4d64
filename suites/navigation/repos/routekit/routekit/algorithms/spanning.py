"""Minimum spanning trees (forests) with Kruskal's and Prim's algorithms."""

from __future__ import annotations

import heapq
from itertools import count
from typing import Optional

from routekit.algorithms.components import DisjointSet
from routekit.algorithms.paths import WeightSpec, resolve_weight
from routekit.graph.model import Graph, Node

Edge = tuple[Node, Node, float]


def _require_undirected(graph: Graph) -> None:
    if graph.directed:
        raise ValueError("spanning trees are defined for undirected graphs")


def kruskal_edges(graph: Graph, weight: WeightSpec = None) -> list[Edge]:
    """MST edges in the order Kruskal's algorithm accepts them."""
    _require_undirected(graph)
    weight_of = resolve_weight(graph, weight)
    candidates = sorted(
        ((weight_of(u, v), index, u, v) for index, (u, v, _) in enumerate(graph.edges())),
        key=lambda item: (item[0], item[1]),
    )
    forest = DisjointSet(graph.nodes())
    chosen: list[Edge] = []
    for w, _, u, v in candidates:
        if forest.union(u, v):
            chosen.append((u, v, w))
    return chosen


def prim_edges(graph: Graph, start: Optional[Node] = None, weight: WeightSpec = None) -> list[Edge]:
    """MST edges grown from ``start`` (then from any unvisited node, for forests)."""
    _require_undirected(graph)
    weight_of = resolve_weight(graph, weight)
    nodes = graph.nodes()
    if start is not None:
        nodes.remove(start)
        nodes.insert(0, start)
    visited: set[Node] = set()
    chosen: list[Edge] = []
    tie = count()
    for root in nodes:
        if root in visited:
            continue
        visited.add(root)
        heap = [(weight_of(root, v), next(tie), root, v) for v in graph.neighbors(root)]
        heapq.heapify(heap)
        while heap:
            w, _, u, v = heapq.heappop(heap)
            if v in visited:
                continue
            visited.add(v)
            chosen.append((u, v, w))
            for nxt in graph.neighbors(v):
                if nxt not in visited:
                    heapq.heappush(heap, (weight_of(v, nxt), next(tie), v, nxt))
    return chosen


def total_weight(edges: list[Edge]) -> float:
    return sum(w for _, _, w in edges)


def minimum_spanning_tree(graph: Graph, algorithm: str = "prim", weight: WeightSpec = None) -> Graph:
    """Minimum spanning forest as a new graph containing every node."""
    if algorithm == "prim":
        edges = prim_edges(graph, weight=weight)
    elif algorithm == "kruskal":
        edges = kruskal_edges(graph, weight)
    else:
        raise ValueError(f"unknown algorithm {algorithm!r}")
    tree = Graph(directed=False)
    for node in graph.nodes():
        tree.add_node(node, **graph.node_data(node))
    for u, v, _ in edges:
        tree.add_edge(u, v, **graph.edge_data(u, v))
    return tree
