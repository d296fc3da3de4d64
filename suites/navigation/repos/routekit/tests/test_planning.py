import pytest

from routekit.graph import from_edge_list
from routekit.planning import add_travel_times, format_duration, plan_itinerary
from routekit.planning.cost import edge_travel_time, parse_duration, travel_time_hours
from routekit.planning.itinerary import order_stops_nearest


def network():
    return from_edge_list([("a", "b", 4), ("b", "c", 3), ("a", "c", 10), ("c", "d", 2)])


def test_plan_itinerary():
    itinerary = plan_itinerary(network(), ["a", "c", "d"])
    assert [leg.path for leg in itinerary.legs] == [["a", "b", "c"], ["c", "d"]]
    assert itinerary.total_cost == 9.0
    assert itinerary.stops == ["a", "c", "d"]
    assert itinerary.node_sequence() == ["a", "b", "c", "d"]


def test_plan_round_trip():
    itinerary = plan_itinerary(network(), ["a", "d"], return_to_start=True)
    assert itinerary.stops == ["a", "d", "a"]
    assert itinerary.total_cost == 18.0
    with pytest.raises(ValueError):
        plan_itinerary(network(), ["a"])


def test_order_stops_nearest():
    assert order_stops_nearest(network(), "a", ["d", "b", "c"]) == ["a", "b", "c", "d"]


def test_travel_times():
    g = from_edge_list([("x", "y", 10)])
    g.add_edge("y", "z", 1, length_km=30, speed=60)
    assert travel_time_hours(100, 50) == 2.0
    assert edge_travel_time(g, "x", "y") == pytest.approx(0.2)
    assert edge_travel_time(g, "y", "z") == pytest.approx(0.5)
    timed = add_travel_times(g)
    assert timed.edge_data("y", "z")["time"] == pytest.approx(0.5)
    assert timed.weight("y", "z") == 1.0
    with pytest.raises(ValueError):
        travel_time_hours(1, 0)


def test_format_and_parse_duration():
    assert format_duration(1.5) == "1h 30m"
    assert format_duration(0.25) == "0h 15m"
    assert format_duration(2 + 5 / 60) == "2h 05m"
    assert parse_duration("1h 05m") == pytest.approx(1 + 5 / 60)
    with pytest.raises(ValueError):
        format_duration(-1)
