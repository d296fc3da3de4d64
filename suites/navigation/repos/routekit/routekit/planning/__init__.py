"""Trip planning on top of the routing algorithms."""

from routekit.planning.itinerary import Itinerary, Leg, plan_itinerary
from routekit.planning.cost import add_travel_times, format_duration

__all__ = ["Itinerary", "Leg", "plan_itinerary", "add_travel_times", "format_duration"]
