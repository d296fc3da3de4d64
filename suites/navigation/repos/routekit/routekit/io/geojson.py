"""GeoJSON export and import of routes.

GeoJSON positions are ``[longitude, latitude]`` whereas routekit points are
``(latitude, longitude)``; the helpers here take care of the swap.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence

from routekit.geo.distance import Point, path_length_km
from routekit.graph.model import Graph


def _position(point: Point) -> list[float]:
    lat, lon = point
    return [round(lon, 7), round(lat, 7)]


def route_to_feature(points: Sequence[Point], properties: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """A GeoJSON ``Feature`` with a ``LineString`` geometry and its length."""
    if len(points) < 2:
        raise ValueError("a route needs at least two points")
    props = {"length_km": round(path_length_km(points), 3)}
    props.update(properties or {})
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [_position(p) for p in points]},
        "properties": props,
    }


def feature_to_route(feature: dict[str, Any]) -> list[Point]:
    """Points of a ``LineString`` feature as ``(lat, lon)`` tuples."""
    geometry = feature.get("geometry") or {}
    if geometry.get("type") != "LineString":
        raise ValueError("feature geometry must be a LineString")
    return [(float(lat), float(lon)) for lon, lat, *_ in geometry["coordinates"]]


def graph_to_feature_collection(graph: Graph, pos_attr: str = "pos") -> dict[str, Any]:
    """Nodes with a ``pos`` attribute become Points, edges between them LineStrings."""
    features = []
    for node in graph.nodes():
        pos = graph.node_data(node).get(pos_attr)
        if pos is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": _position(pos)},
                    "properties": {"id": str(node)},
                }
            )
    for u, v, w in graph.edges():
        pu, pv = graph.node_data(u).get(pos_attr), graph.node_data(v).get(pos_attr)
        if pu is not None and pv is not None:
            features.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "LineString", "coordinates": [_position(pu), _position(pv)]},
                    "properties": {"source": str(u), "target": str(v), "weight": w},
                }
            )
    return {"type": "FeatureCollection", "features": features}
