"""Travel-time costs derived from edge lengths and speeds."""

from __future__ import annotations

from routekit.graph.model import Graph, Node

DEFAULT_SPEED_KMH = 50.0


def travel_time_hours(distance_km: float, speed_kmh: float) -> float:
    if speed_kmh <= 0:
        raise ValueError("speed must be positive")
    if distance_km < 0:
        raise ValueError("distance must not be negative")
    return distance_km / speed_kmh


def edge_travel_time(graph: Graph, u: Node, v: Node, default_speed: float = DEFAULT_SPEED_KMH) -> float:
    """Hours needed for edge ``u -> v``.

    The edge length is its ``length_km`` attribute (falling back to the
    weight) and the speed its ``speed`` attribute (falling back to
    ``default_speed``).
    """
    data = graph.edge_data(u, v)
    length = float(data.get("length_km", data["weight"]))
    speed = float(data.get("speed", default_speed))
    return travel_time_hours(length, speed)


def add_travel_times(graph: Graph, attr: str = "time", default_speed: float = DEFAULT_SPEED_KMH) -> Graph:
    """Copy of ``graph`` with a travel-time attribute (hours) on every edge."""
    result = graph.copy()
    for u, v, data in graph.edges(data=True):
        extra = {k: val for k, val in data.items() if k != "weight"}
        extra[attr] = edge_travel_time(graph, u, v, default_speed)
        result.add_edge(u, v, data["weight"], **extra)
    return result


def format_duration(hours: float) -> str:
    """Format a duration as ``"<h>h <mm>m"``, rounded to the nearest minute."""
    if hours < 0:
        raise ValueError("duration must not be negative")
    total_minutes = round(hours * 60)
    h, m = divmod(total_minutes, 60)
    return f"{h}h {m:02d}m"


def parse_duration(text: str) -> float:
    """Inverse of :func:`format_duration`: ``"1h 05m"`` -> ``1.0833...``."""
    hours = minutes = 0
    for part in text.split():
        if part.endswith("h"):
            hours = int(part[:-1])
        elif part.endswith("m"):
            minutes = int(part[:-1])
        else:
            raise ValueError(f"cannot parse duration {text!r}")
    return hours + minutes / 60.0
