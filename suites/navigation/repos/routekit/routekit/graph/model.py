"""The :class:`Graph` model: a weighted, optionally directed adjacency map."""

from __future__ import annotations

from typing import Any, Hashable, Iterator

Node = Hashable


class Graph:
    """A weighted graph.

    Every edge carries a data dict with at least a ``"weight"`` key (default
    ``1.0``) plus any extra attributes passed to :meth:`add_edge`.  In an
    undirected graph both directions share the same data dict.
    """

    def __init__(self, directed: bool = False) -> None:
        self.directed = directed
        self._nodes: dict[Node, dict[str, Any]] = {}
        self._succ: dict[Node, dict[Node, dict[str, Any]]] = {}
        self._pred: dict[Node, dict[Node, dict[str, Any]]] = {}

    # -- nodes --------------------------------------------------------
    def add_node(self, node: Node, **attrs: Any) -> None:
        if node not in self._nodes:
            self._nodes[node] = {}
            self._succ[node] = {}
            self._pred[node] = {}
        self._nodes[node].update(attrs)

    def nodes(self) -> list[Node]:
        return list(self._nodes)

    def node_data(self, node: Node) -> dict[str, Any]:
        return dict(self._nodes[node])

    def __contains__(self, node: object) -> bool:
        return node in self._nodes

    def __len__(self) -> int:
        return len(self._nodes)

    def __iter__(self) -> Iterator[Node]:
        return iter(self._nodes)

    # -- edges --------------------------------------------------------
    def add_edge(self, u: Node, v: Node, weight: float = 1.0, **attrs: Any) -> None:
        self.add_node(u)
        self.add_node(v)
        data = {"weight": float(weight), **attrs}
        self._succ[u][v] = data
        if self.directed:
            self._pred[v][u] = data
        else:
            self._succ[v][u] = data

    def remove_edge(self, u: Node, v: Node) -> None:
        if not self.has_edge(u, v):
            raise KeyError(f"no edge {u!r} -> {v!r}")
        del self._succ[u][v]
        if self.directed:
            del self._pred[v][u]
        elif u != v:
            del self._succ[v][u]

    def has_edge(self, u: Node, v: Node) -> bool:
        return u in self._succ and v in self._succ[u]

    def weight(self, u: Node, v: Node) -> float:
        return self._succ[u][v]["weight"]

    def edge_data(self, u: Node, v: Node) -> dict[str, Any]:
        return dict(self._succ[u][v])

    def neighbors(self, node: Node) -> list[Node]:
        """Successors of ``node`` (all neighbours for undirected graphs)."""
        return list(self._succ[node])

    def predecessors(self, node: Node) -> list[Node]:
        return list(self._pred[node]) if self.directed else list(self._succ[node])

    def edges(self, data: bool = False) -> list[tuple]:
        """``(u, v, weight)`` triples, or ``(u, v, data)`` with ``data=True``.

        Undirected edges are reported once, in the orientation first seen.
        """
        result = []
        seen: set[frozenset] = set()
        for u, targets in self._succ.items():
            for v, info in targets.items():
                if not self.directed:
                    key = frozenset((u, v))
                    if key in seen:
                        continue
                    seen.add(key)
                result.append((u, v, dict(info) if data else info["weight"]))
        return result

    def number_of_edges(self) -> int:
        return len(self.edges())

    def out_degree(self, node: Node) -> int:
        return len(self._succ[node])

    def in_degree(self, node: Node) -> int:
        return len(self._pred[node]) if self.directed else len(self._succ[node])

    def degree(self, node: Node) -> int:
        if self.directed:
            return self.in_degree(node) + self.out_degree(node)
        return len(self._succ[node])

    def copy(self) -> "Graph":
        clone = Graph(self.directed)
        for node, attrs in self._nodes.items():
            clone.add_node(node, **attrs)
        for u, v, info in self.edges(data=True):
            clone.add_edge(u, v, **info)
        return clone

    def __repr__(self) -> str:
        kind = "directed" if self.directed else "undirected"
        return f"<Graph {kind} nodes={len(self)} edges={self.number_of_edges()}>"
