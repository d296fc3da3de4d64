"""Derived graphs: subgraphs, reversed graphs and filtered copies."""

from __future__ import annotations

from typing import Any, Callable, Iterable

from routekit.graph.model import Graph, Node


def subgraph(graph: Graph, nodes: Iterable[Node]) -> Graph:
    """Induced subgraph on ``nodes``: node and edge attributes are preserved."""
    keep = set(nodes)
    missing = keep.difference(graph.nodes())
    if missing:
        raise KeyError(f"nodes not in graph: {sorted(map(repr, missing))}")
    sub = Graph(graph.directed)
    for node in graph.nodes():
        if node in keep:
            sub.add_node(node, **graph.node_data(node))
    for u, v, data in graph.edges(data=True):
        if u in keep and v in keep:
            sub.add_edge(u, v, **data)
    return sub


def edge_subgraph(graph: Graph, predicate: Callable[[Node, Node, dict[str, Any]], bool]) -> Graph:
    """Copy of ``graph`` (all nodes) keeping only edges for which ``predicate`` holds."""
    result = Graph(graph.directed)
    for node in graph.nodes():
        result.add_node(node, **graph.node_data(node))
    for u, v, data in graph.edges(data=True):
        if predicate(u, v, data):
            result.add_edge(u, v, **data)
    return result


def reverse(graph: Graph) -> Graph:
    """Graph with every edge reversed; undirected graphs are simply copied."""
    if not graph.directed:
        return graph.copy()
    result = Graph(directed=True)
    for node in graph.nodes():
        result.add_node(node, **graph.node_data(node))
    for u, v, data in graph.edges(data=True):
        result.add_edge(v, u, **data)
    return result


def to_undirected(graph: Graph) -> Graph:
    """Undirected version; for antiparallel edges the lighter weight wins."""
    result = Graph(directed=False)
    for node in graph.nodes():
        result.add_node(node, **graph.node_data(node))
    for u, v, data in graph.edges(data=True):
        if result.has_edge(u, v) and result.weight(u, v) <= data["weight"]:
            continue
        result.add_edge(u, v, **data)
    return result
