import json

import pytest

from routekit import Graph
from routekit.io.geojson import graph_to_feature_collection, route_to_feature
from routekit.io.serialize import dumps, format_edgelist, graph_from_dict, graph_to_dict, loads, parse_edgelist
from routekit.io.serialize.edgelist import EdgeListError


def test_json_roundtrip_simple_graph():
    g = Graph(directed=True)
    g.add_node("depot", kind="hub")
    g.add_edge("depot", "shop", 2.5)
    g.add_edge("shop", 7)
    clone = loads(dumps(g))
    assert clone.directed
    assert clone.node_data("depot") == {"kind": "hub"}
    assert clone.edges() == [("depot", "shop", 2.5), ("shop", 7, 1.0)]


def test_graph_to_dict_layout():
    g = Graph()
    g.add_edge("a", "b", 3)
    data = graph_to_dict(g)
    assert data == {
        "version": 1,
        "directed": False,
        "nodes": [{"id": "a"}, {"id": "b"}],
        "edges": [{"source": "a", "target": "b", "weight": 3.0}],
    }
    assert json.loads(dumps(g))["edges"][0]["weight"] == 3.0


def test_graph_from_dict_defaults_and_version():
    g = graph_from_dict({"nodes": [{"id": 1}], "edges": [{"source": 1, "target": 2}]})
    assert not g.directed and g.weight(2, 1) == 1.0
    with pytest.raises(ValueError):
        graph_from_dict({"version": 99})


def test_parse_edgelist():
    text = "# roads\na b 2.5\n\nb c\nlonely\n"
    g = parse_edgelist(text)
    assert g.edges() == [("a", "b", 2.5), ("b", "c", 1.0)]
    assert "lonely" in g
    assert format_edgelist(g) == "a b 2.5\nb c 1\nlonely\n"


def test_parse_edgelist_errors_and_delimiter():
    with pytest.raises(EdgeListError, match="line 2"):
        parse_edgelist("a b 1\na b c d\n")
    with pytest.raises(EdgeListError):
        parse_edgelist("a b heavy\n")
    g = parse_edgelist("x;y;4\n", delimiter=";", directed=True)
    assert g.directed and g.weight("x", "y") == 4.0


def test_route_to_feature():
    feature = route_to_feature([(48.8566, 2.3522), (51.5074, -0.1278)], {"name": "Eurostar"})
    assert feature["geometry"]["coordinates"] == [[2.3522, 48.8566], [-0.1278, 51.5074]]
    assert feature["properties"]["name"] == "Eurostar"
    assert 340 < feature["properties"]["length_km"] < 347
    with pytest.raises(ValueError):
        route_to_feature([(0.0, 0.0)])


def test_feature_collection():
    g = Graph()
    g.add_node("a", pos=(1.0, 2.0))
    g.add_node("b", pos=(3.0, 4.0))
    g.add_edge("a", "b", 5)
    g.add_edge("b", "c")
    collection = graph_to_feature_collection(g)
    kinds = [f["geometry"]["type"] for f in collection["features"]]
    assert kinds == ["Point", "Point", "LineString"]
