"""JSON (de)serialisation of :class:`~routekit.graph.model.Graph`.

Tuple node ids (such as grid coordinates) are written as JSON arrays and
turned back into tuples when loading.
"""

from __future__ import annotations

import json
from typing import Any

from routekit.graph.model import Graph, Node

FORMAT_VERSION = 1


def _encode_node(node: Node) -> Any:
    if isinstance(node, tuple):
        return [_encode_node(part) for part in node]
    return node


def _decode_node(value: Any) -> Node:
    if isinstance(value, list):
        return tuple(_decode_node(part) for part in value)
    return value


def _encode_value(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_encode_value(v) for v in value]
    return value


def graph_to_dict(graph: Graph) -> dict[str, Any]:
    """Plain-data representation suitable for :func:`json.dumps`."""
    nodes = []
    for node in graph.nodes():
        entry: dict[str, Any] = {"id": _encode_node(node)}
        attrs = {k: _encode_value(v) for k, v in graph.node_data(node).items()}
        if attrs:
            entry["attrs"] = attrs
        nodes.append(entry)
    edges = []
    for u, v, data in graph.edges(data=True):
        entry = {"source": _encode_node(u), "target": _encode_node(v), "weight": data["weight"]}
        extra = {k: _encode_value(val) for k, val in data.items() if k != "weight"}
        if extra:
            entry["attrs"] = extra
        edges.append(entry)
    return {"version": FORMAT_VERSION, "directed": graph.directed, "nodes": nodes, "edges": edges}


def graph_from_dict(data: dict[str, Any]) -> Graph:
    """Inverse of :func:`graph_to_dict`; ``directed`` defaults to False."""
    version = data.get("version", FORMAT_VERSION)
    if version > FORMAT_VERSION:
        raise ValueError(f"unsupported graph format version {version}")
    graph = Graph(directed=bool(data.get("directed", False)))
    for entry in data.get("nodes", []):
        graph.add_node(_decode_node(entry["id"]), **entry.get("attrs", {}))
    for entry in data.get("edges", []):
        graph.add_edge(
            _decode_node(entry["source"]),
            _decode_node(entry["target"]),
            entry.get("weight", 1.0),
            **entry.get("attrs", {}),
        )
    return graph


def dumps(graph: Graph, indent: int | None = None) -> str:
    return json.dumps(graph_to_dict(graph), indent=indent, sort_keys=True, ensure_ascii=False)


def loads(text: str) -> Graph:
    return graph_from_dict(json.loads(text))
