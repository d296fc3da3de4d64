"""Multi-stop itineraries built from shortest paths."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Sequence

from routekit.algorithms.paths import WeightSpec, path_weight
from routekit.algorithms.shortest.dijkstra import shortest_path, shortest_path_length
from routekit.graph.model import Graph, Node


@dataclass
class Leg:
    start: Node
    end: Node
    path: list[Node]
    cost: float


@dataclass
class Itinerary:
    legs: list[Leg] = field(default_factory=list)

    @property
    def total_cost(self) -> float:
        return sum(leg.cost for leg in self.legs)

    @property
    def stops(self) -> list[Node]:
        if not self.legs:
            return []
        return [self.legs[0].start] + [leg.end for leg in self.legs]

    def node_sequence(self) -> list[Node]:
        """Every node visited, without repeating the joints between legs."""
        sequence: list[Node] = []
        for leg in self.legs:
            sequence.extend(leg.path if not sequence else leg.path[1:])
        return sequence


def plan_itinerary(
    graph: Graph, waypoints: Sequence[Node], weight: WeightSpec = None, return_to_start: bool = False
) -> Itinerary:
    """Chain shortest paths through ``waypoints`` in the given order."""
    if len(waypoints) < 2:
        raise ValueError("an itinerary needs at least two waypoints")
    stops = list(waypoints)
    if return_to_start and stops[-1] != stops[0]:
        stops.append(stops[0])
    itinerary = Itinerary()
    for a, b in zip(stops, stops[1:]):
        path = shortest_path(graph, a, b, weight=weight)
        itinerary.legs.append(Leg(a, b, path, path_weight(graph, path, weight)))
    return itinerary


def order_stops_nearest(graph: Graph, start: Node, stops: Sequence[Node], weight: WeightSpec = None) -> list[Node]:
    """Greedy nearest-neighbour visiting order starting at ``start``.

    Ties are broken by the order of ``stops``.
    """
    remaining = [s for s in stops if s != start]
    order = [start]
    current = start
    while remaining:
        costs = [shortest_path_length(graph, current, s, weight) for s in remaining]
        best = costs.index(min(costs))
        current = remaining.pop(best)
        order.append(current)
    return order
