"""Connected components and the disjoint-set (union-find) structure."""

from __future__ import annotations

from typing import Hashable, Iterable

from routekit.graph.model import Graph, Node
from routekit.graph.views import reverse


class DisjointSet:
    """Union-find with path compression and union by rank."""

    def __init__(self, items: Iterable[Hashable] = ()) -> None:
        self._parent: dict[Hashable, Hashable] = {}
        self._rank: dict[Hashable, int] = {}
        for item in items:
            self.add(item)

    def add(self, item: Hashable) -> None:
        if item not in self._parent:
            self._parent[item] = item
            self._rank[item] = 0

    def find(self, item: Hashable) -> Hashable:
        self.add(item)
        root = item
        while self._parent[root] != root:
            root = self._parent[root]
        while self._parent[item] != root:
            self._parent[item], item = root, self._parent[item]
        return root

    def union(self, a: Hashable, b: Hashable) -> bool:
        """Merge the sets of ``a`` and ``b``; False if they were already joined."""
        root_a, root_b = self.find(a), self.find(b)
        if root_a == root_b:
            return False
        if self._rank[root_a] < self._rank[root_b]:
            root_a, root_b = root_b, root_a
        self._parent[root_b] = root_a
        if self._rank[root_a] == self._rank[root_b]:
            self._rank[root_a] += 1
        return True

    def connected(self, a: Hashable, b: Hashable) -> bool:
        return self.find(a) == self.find(b)

    def groups(self) -> list[set]:
        buckets: dict[Hashable, set] = {}
        for item in self._parent:
            buckets.setdefault(self.find(item), set()).add(item)
        return list(buckets.values())


def _order_components(groups: list[set]) -> list[set]:
    """Largest first; equal sizes keep discovery order."""
    return sorted(groups, key=len, reverse=True)


def connected_components(graph: Graph) -> list[set]:
    """Weakly connected components (edge direction ignored)."""
    ds = DisjointSet(graph.nodes())
    for u, v, _ in graph.edges():
        ds.union(u, v)
    return _order_components(ds.groups())


def is_connected(graph: Graph) -> bool:
    return len(graph) > 0 and len(connected_components(graph)) == 1


def strongly_connected_components(graph: Graph) -> list[set]:
    """Kosaraju's algorithm (iterative)."""
    if not graph.directed:
        return connected_components(graph)
    finished: list[Node] = []
    seen: set[Node] = set()
    for root in graph.nodes():
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(graph.neighbors(root)))]
        while stack:
            node, it = stack[-1]
            for nxt in it:
                if nxt not in seen:
                    seen.add(nxt)
                    stack.append((nxt, iter(graph.neighbors(nxt))))
                    break
            else:
                stack.pop()
                finished.append(node)
    transposed = reverse(graph)
    assigned: set[Node] = set()
    components = []
    for root in reversed(finished):
        if root in assigned:
            continue
        component, stack = set(), [root]
        assigned.add(root)
        while stack:
            node = stack.pop()
            component.add(node)
            for nxt in transposed.neighbors(node):
                if nxt not in assigned:
                    assigned.add(nxt)
                    stack.append(nxt)
        components.append(component)
    return _order_components(components)
