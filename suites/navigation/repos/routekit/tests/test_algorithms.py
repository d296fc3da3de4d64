import pytest

from routekit import Graph, NoPathError, shortest_path, shortest_path_length
from routekit.algorithms.components import DisjointSet, connected_components, is_connected, strongly_connected_components
from routekit.algorithms.errors import NegativeCycleError
from routekit.algorithms.paths import is_simple_path, path_weight, reconstruct_path
from routekit.algorithms.shortest import astar_path, bellman_ford, dijkstra, multi_source_dijkstra
from routekit.algorithms.shortest.astar import manhattan_heuristic
from routekit.algorithms.shortest.bellman_ford import bellman_ford_path
from routekit.algorithms.spanning import kruskal_edges, minimum_spanning_tree, prim_edges, total_weight
from routekit.algorithms.traversal import bfs_layers, bfs_order, dfs_order, has_cycle, topological_sort
from routekit.graph import from_edge_list, grid_graph


def city():
    return from_edge_list(
        [("a", "b", 7), ("a", "c", 9), ("a", "f", 14), ("b", "c", 10), ("b", "d", 15),
         ("c", "d", 11), ("c", "f", 2), ("d", "e", 6), ("e", "f", 9)]
    )


def test_dijkstra_classic():
    g = city()
    assert shortest_path(g, "a", "e") == ["a", "c", "f", "e"]
    assert shortest_path_length(g, "a", "e") == 20.0
    dist, pred = dijkstra(g, "a")
    assert dist["d"] == 20.0 and pred["d"] == "c"


def test_shortest_path_errors():
    g = city()
    g.add_node("island")
    with pytest.raises(NoPathError):
        shortest_path(g, "a", "island")
    with pytest.raises(KeyError):
        shortest_path(g, "a", "nowhere")


def test_multi_source():
    g = city()
    dist, origin = multi_source_dijkstra(g, ["a", "e"])
    assert origin["d"] == "e" and dist["d"] == 6.0
    assert origin["b"] == "a"


def test_path_helpers():
    g = city()
    assert path_weight(g, ["a", "c", "f"]) == 11.0
    assert is_simple_path(g, ["a", "b", "d"])
    assert not is_simple_path(g, ["a", "b", "a"])
    assert reconstruct_path({"a": None, "b": "a"}, "a", "b") == ["a", "b"]
    assert reconstruct_path({"a": None}, "a", "z") is None


def test_bellman_ford_negative_edge():
    g = Graph(directed=True)
    g.add_edge("s", "a", 4)
    g.add_edge("s", "b", 2)
    g.add_edge("b", "a", -1)
    dist, _ = bellman_ford(g, "s")
    assert dist == {"s": 0.0, "a": 1.0, "b": 2.0}
    assert bellman_ford_path(g, "s", "a") == (["s", "b", "a"], 1.0)


def test_bellman_ford_negative_cycle():
    g = Graph(directed=True)
    g.add_edge("s", "a", 1)
    g.add_edge("a", "b", -2)
    g.add_edge("b", "a", 1)
    with pytest.raises(NegativeCycleError):
        bellman_ford(g, "s")


def test_astar_on_grid():
    g = grid_graph(5, 5)
    path, cost = astar_path(g, (0, 0), (4, 4), manhattan_heuristic(g))
    assert cost == 8.0 and path[0] == (0, 0) and path[-1] == (4, 4) and len(path) == 9
    path, cost = astar_path(city(), "a", "e")
    assert cost == 20.0


def test_traversals():
    g = from_edge_list([(1, 2), (1, 3), (2, 4), (3, 4), (4, 5)])
    assert bfs_order(g, 1) == [1, 2, 3, 4, 5]
    assert bfs_layers(g, 1) == [[1], [2, 3], [4], [5]]
    assert dfs_order(g, 1) == [1, 2, 4, 3, 5]


def test_topological_sort_and_cycles():
    dag = from_edge_list([("shirt", "tie"), ("tie", "jacket"), ("trousers", "shoes"), ("shirt", "belt")], directed=True)
    order = topological_sort(dag)
    assert order.index("shirt") < order.index("tie") < order.index("jacket")
    assert len(order) == 6
    assert not has_cycle(dag)
    assert has_cycle(from_edge_list([(1, 2), (2, 3), (3, 1)], directed=True))
    assert not has_cycle(from_edge_list([(1, 2), (2, 3)]))
    assert has_cycle(from_edge_list([(1, 2), (2, 3), (3, 1)]))
    with pytest.raises(ValueError):
        topological_sort(from_edge_list([(1, 2)]))


def test_components():
    g = from_edge_list([(1, 2), (2, 3), (4, 5)])
    g.add_node(6)
    assert connected_components(g) == [{1, 2, 3}, {4, 5}, {6}]
    assert not is_connected(g)
    d = from_edge_list([("a", "b"), ("b", "a"), ("b", "c")], directed=True)
    assert strongly_connected_components(d) == [{"a", "b"}, {"c"}]


def test_disjoint_set():
    ds = DisjointSet("abcd")
    ds.union("a", "b")
    ds.union("c", "d")
    assert ds.connected("a", "b") and not ds.connected("b", "c")
    assert sorted(sorted(group) for group in ds.groups()) == [["a", "b"], ["c", "d"]]


def test_minimum_spanning_tree_prim():
    g = city()
    edges = prim_edges(g)
    assert len(edges) == 5
    assert total_weight(edges) == 33.0
    tree = minimum_spanning_tree(g)
    assert tree.number_of_edges() == 5 and len(tree) == 6


def test_kruskal_on_tree_keeps_all_edges():
    g = from_edge_list([("a", "b", 3), ("b", "c", 1), ("b", "d", 2)])
    assert kruskal_edges(g) == [("b", "c", 1.0), ("b", "d", 2.0), ("a", "b", 3.0)]
    with pytest.raises(ValueError):
        minimum_spanning_tree(g, algorithm="boruvka")
