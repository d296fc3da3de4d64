import math

import pytest

from routekit import Graph
from routekit.graph import complete_graph, from_edge_list, grid_graph, path_graph, reverse, subgraph
from routekit.graph.views import edge_subgraph, to_undirected


def test_undirected_edges_are_symmetric():
    g = Graph()
    g.add_edge("a", "b", 2.5, road="A1")
    assert g.has_edge("b", "a")
    assert g.weight("b", "a") == 2.5
    assert g.edge_data("a", "b") == {"weight": 2.5, "road": "A1"}
    assert g.edges() == [("a", "b", 2.5)]
    assert g.degree("a") == 1


def test_directed_graph_degrees_and_predecessors():
    g = Graph(directed=True)
    g.add_edge("a", "b")
    g.add_edge("c", "b")
    assert not g.has_edge("b", "a")
    assert g.in_degree("b") == 2
    assert g.out_degree("b") == 0
    assert sorted(g.predecessors("b")) == ["a", "c"]
    assert g.degree("b") == 2


def test_remove_edge():
    g = Graph()
    g.add_edge(1, 2)
    g.remove_edge(2, 1)
    assert not g.has_edge(1, 2) and not g.has_edge(2, 1)
    with pytest.raises(KeyError):
        g.remove_edge(1, 2)


def test_node_attributes_and_copy():
    g = Graph()
    g.add_node("x", pos=(1.0, 2.0))
    g.add_node("x", name="X")
    clone = g.copy()
    assert clone.node_data("x") == {"pos": (1.0, 2.0), "name": "X"}
    assert "x" in clone and len(clone) == 1


def test_builders():
    g = from_edge_list([("a", "b"), ("b", "c", 4)])
    assert g.weight("b", "c") == 4.0
    p = path_graph(["p", "q", "r"], weight=2)
    assert p.edges() == [("p", "q", 2.0), ("q", "r", 2.0)]
    k = complete_graph(4)
    assert k.number_of_edges() == 6
    with pytest.raises(ValueError):
        from_edge_list([("a",)])


def test_grid_graph():
    g = grid_graph(2, 3)
    assert len(g) == 6
    assert g.number_of_edges() == 7
    assert g.node_data((1, 2))["pos"] == (1.0, 2.0)
    d = grid_graph(3, 3, diagonal=True)
    assert d.degree((1, 1)) == 8
    assert math.isclose(d.weight((0, 0), (1, 1)), math.sqrt(2))


def test_subgraph_and_reverse():
    g = Graph(directed=True)
    g.add_edge("a", "b", 1)
    g.add_edge("b", "c", 2)
    g.add_edge("c", "a", 3)
    sub = subgraph(g, ["a", "b"])
    assert sub.edges() == [("a", "b", 1.0)]
    rev = reverse(g)
    assert rev.has_edge("b", "a") and not rev.has_edge("a", "b")
    with pytest.raises(KeyError):
        subgraph(g, ["a", "zzz"])


def test_edge_subgraph_and_to_undirected():
    g = Graph(directed=True)
    g.add_edge("a", "b", 5)
    g.add_edge("b", "a", 3)
    g.add_edge("b", "c", 9)
    light = edge_subgraph(g, lambda u, v, d: d["weight"] < 6)
    assert sorted((u, v) for u, v, _ in light.edges()) == [("a", "b"), ("b", "a")]
    und = to_undirected(g)
    assert und.weight("a", "b") == 3.0
    assert und.number_of_edges() == 2
