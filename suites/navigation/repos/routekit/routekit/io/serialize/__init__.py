"""Text formats for graphs."""

from routekit.io.serialize.edgelist import format_edgelist, parse_edgelist
from routekit.io.serialize.json_codec import dumps, graph_from_dict, graph_to_dict, loads

__all__ = ["format_edgelist", "parse_edgelist", "dumps", "loads", "graph_from_dict", "graph_to_dict"]
