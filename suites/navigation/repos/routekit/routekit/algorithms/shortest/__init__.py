"""Shortest-path algorithms."""

from routekit.algorithms.shortest.astar import astar_path
from routekit.algorithms.shortest.bellman_ford import bellman_ford
from routekit.algorithms.shortest.dijkstra import dijkstra, multi_source_dijkstra, shortest_path, shortest_path_length

__all__ = ["astar_path", "bellman_ford", "dijkstra", "multi_source_dijkstra", "shortest_path", "shortest_path_length"]
