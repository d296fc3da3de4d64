"""Graph algorithms: traversal, components, spanning trees and shortest paths."""

from routekit.algorithms.components import connected_components, is_connected, strongly_connected_components
from routekit.algorithms.errors import CycleError, NegativeCycleError, NegativeWeightError, NoPathError
from routekit.algorithms.spanning import minimum_spanning_tree
from routekit.algorithms.traversal import bfs_layers, bfs_order, dfs_order, has_cycle, nodes_within, topological_sort

__all__ = [
    "connected_components",
    "is_connected",
    "strongly_connected_components",
    "CycleError",
    "NegativeCycleError",
    "NegativeWeightError",
    "NoPathError",
    "minimum_spanning_tree",
    "bfs_layers",
    "bfs_order",
    "dfs_order",
    "has_cycle",
    "nodes_within",
    "topological_sort",
]
