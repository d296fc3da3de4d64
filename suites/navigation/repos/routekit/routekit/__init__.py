"""routekit: graphs, routing algorithms and geographic helpers."""

from routekit.graph.model import Graph
from routekit.algorithms.shortest.dijkstra import shortest_path, shortest_path_length
from routekit.algorithms.errors import NoPathError

__version__ = "1.2.0"

__all__ = ["Graph", "shortest_path", "shortest_path_length", "NoPathError", "__version__"]
