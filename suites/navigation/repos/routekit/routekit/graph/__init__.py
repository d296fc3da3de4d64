"""Graph data model, builders and views."""

from routekit.graph.model import Graph
from routekit.graph.builders import complete_graph, from_edge_list, grid_graph, path_graph
from routekit.graph.views import reverse, subgraph

__all__ = ["Graph", "complete_graph", "from_edge_list", "grid_graph", "path_graph", "reverse", "subgraph"]
