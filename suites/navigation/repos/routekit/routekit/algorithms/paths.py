"""Helpers shared by the path-finding algorithms."""

from __future__ import annotations

from typing import Any, Callable, Mapping, Optional, Sequence, Union

from routekit.graph.model import Graph, Node

WeightSpec = Union[None, str, Callable[[Node, Node, dict[str, Any]], float]]
WeightFn = Callable[[Node, Node], float]


def resolve_weight(graph: Graph, weight: WeightSpec = None, default: float = 1.0) -> WeightFn:
    """Turn a weight specification into a ``(u, v) -> float`` function.

    * ``None``: the edge's ``"weight"``;
    * a string: that edge attribute, or ``default`` when an edge lacks it;
    * a callable ``f(u, v, data)``: its return value.
    """
    if weight is None:
        return graph.weight
    if callable(weight):
        fn = weight
        return lambda u, v: float(fn(u, v, graph.edge_data(u, v)))
    key = str(weight)

    def by_attribute(u: Node, v: Node) -> float:
        data = graph.edge_data(u, v)
        return float(data.get(key, default))

    return by_attribute


def reconstruct_path(predecessors: Mapping[Node, Optional[Node]], source: Node, target: Node) -> Optional[list[Node]]:
    """Walk a predecessor map back from ``target``; ``None`` if unreachable."""
    if target not in predecessors:
        return None
    path = [target]
    while path[-1] != source:
        previous = predecessors[path[-1]]
        if previous is None:
            return None
        path.append(previous)
    path.reverse()
    return path


def path_weight(graph: Graph, path: Sequence[Node], weight: WeightSpec = None) -> float:
    """Total weight of consecutive edges along ``path``."""
    fn = resolve_weight(graph, weight)
    total = 0.0
    for u, v in zip(path, path[1:]):
        if not graph.has_edge(u, v):
            raise KeyError(f"path uses missing edge {u!r} -> {v!r}")
        total += fn(u, v)
    return total


def is_simple_path(graph: Graph, path: Sequence[Node]) -> bool:
    """True if ``path`` is non-empty, follows edges and repeats no node."""
    if not path or len(set(path)) != len(path):
        return False
    return all(graph.has_edge(u, v) for u, v in zip(path, path[1:]))
