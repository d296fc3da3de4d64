"""Multi-site candidates for planning cases: dropped parameters and removed features."""

from __future__ import annotations

import ast
import textwrap

from hypothesis import given
from hypothesis import strategies as st

from generators.tasks.refactors import dropped_parameters, removed_features

CORE = textwrap.dedent('''\
    """Core."""

    __all__ = ["scale", "shift"]


    def scale(value, factor=2, *, clip=None):
        """Multiply value by factor."""
        result = value * factor
        return result if clip is None else min(result, clip)


    def shift(value, by=1):
        """Add by to value."""
        return value + by


    def _private(value):
        """Not public."""
        return value
''')
USE = textwrap.dedent('''\
    from .core import scale


    def double_all(values):
        return [scale(v, 3) for v in values]


    def capped(values):
        return [scale(v, factor=4, clip=10) for v in values]
''')
INIT = 'from .core import scale, shift\n\n__all__ = ["scale", "shift"]\n'
SOURCES = {"pkg/__init__.py": INIT, "pkg/core.py": CORE, "pkg/use.py": USE}


def by_symbol(candidates):  # type: ignore[no-untyped-def]
    return {candidate.symbol: candidate for candidate in candidates}


def test_a_dropped_parameter_changes_the_def_and_every_caller_that_passed_it() -> None:
    found = by_symbol(dropped_parameters(SOURCES))
    # clip is the only keyword-only parameter: without it "*," would not parse
    assert set(found) == {"scale(factor)"}
    factor = found["scale(factor)"]
    edits = {m.path: m.mutated for m in factor.mutations}
    assert sorted(edits) == ["pkg/core.py", "pkg/use.py"]
    assert "def scale(value, *, clip=None):" in edits["pkg/core.py"]
    assert '    """Multiply value by factor."""\n    factor = 2\n' in edits["pkg/core.py"]
    assert "scale(v) for v" in edits["pkg/use.py"]
    assert "scale(v, clip=10) for v" in edits["pkg/use.py"]
    assert all(m.original == SOURCES[m.path] for m in factor.mutations)
    for text in edits.values():
        ast.parse(text)


def test_a_parameter_nobody_passes_or_that_the_body_rebinds_is_not_dropped() -> None:
    rebinding = "def f(x, n=1):\n    n += 1\n    return x + n\n\n\ndef g():\n    return f(1, 2)\n"
    assert dropped_parameters({"m.py": rebinding}) == []
    unpassed = "def f(x, n=1):\n    return x + n\n\n\ndef g():\n    return f(1)\n"
    assert dropped_parameters({"m.py": unpassed}) == []
    starred = "def f(x, n=1):\n    return x + n\n\n\ndef g(a):\n    return f(*a) + f(1, n=2)\n"
    assert dropped_parameters({"m.py": starred}) == []


def test_a_name_defined_twice_is_left_alone() -> None:
    twice = {"a.py": "def f(x, n=1):\n    return x + n\n",
             "b.py": "from a import f\n\n\nclass K:\n    def f(self):\n        return f(1, n=2)\n"}
    assert dropped_parameters(twice) == []


def test_a_removed_feature_takes_its_exports_with_it() -> None:
    found = by_symbol(removed_features(SOURCES))
    assert set(found) == {"pkg.core.shift"}  # scale is used by pkg/use.py; _private is private
    shift = found["pkg.core.shift"]
    edits = {m.path: m.mutated for m in shift.mutations}
    assert sorted(edits) == ["pkg/__init__.py", "pkg/core.py"]
    assert "shift" not in edits["pkg/__init__.py"]
    assert edits["pkg/__init__.py"] == 'from .core import scale\n\n__all__ = ["scale"]\n'
    assert "def shift" not in edits["pkg/core.py"] and '"shift"' not in edits["pkg/core.py"]
    assert shift.docstring == "Add by to value."


def test_an_undocumented_or_unexported_function_is_not_removed() -> None:
    plain = {"m.py": "__all__ = ['f']\n\n\ndef f():\n    return 1\n"}
    assert removed_features(plain) == []
    unexported = {"m.py": 'def f():\n    """Doc."""\n    return 1\n'}
    assert removed_features(unexported) == []


@given(st.lists(st.sampled_from(["a", "b1", "cc", "3", "'s'", "x.y"]), min_size=1, max_size=6),
       st.data(), st.booleans(), st.booleans())
def test_dropping_an_argument_leaves_the_others_in_order(
        arguments: list[str], data: st.DataObject, one_per_line: bool, trailing: bool) -> None:
    index = data.draw(st.integers(0, len(arguments) - 1))
    names = [f"p{i}" for i in range(len(arguments))]
    signature = ", ".join(f"{n}=None" for n in names)
    separator = ",\n        " if one_per_line else ", "
    call = separator.join(arguments) + ("," if trailing else "")
    opening = "(\n        " if one_per_line else "("
    source = (f"def f({signature}):\n    return ({', '.join(names)},)\n\n\n"
              f"def g(a, b1, cc, x):\n    return f{opening}{call})\n")
    found = by_symbol(dropped_parameters({"m.py": source}))
    candidate = found.get(f"f({names[index]})")
    assert candidate is not None
    tree = ast.parse(candidate.mutations[0].mutated)
    g = next(node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "g")
    returned = g.body[0]
    assert isinstance(returned, ast.Return) and isinstance(returned.value, ast.Call)
    assert [ast.unparse(a) for a in returned.value.args] == [
        ast.unparse(ast.parse(a, mode="eval").body) for i, a in enumerate(arguments)
        if i != index]


def test_positional_only_parameters_stay_and_do_not_break_the_search() -> None:
    source = "def f(a=1, /, b=2):\n    return a + b\n\n\ndef g():\n    return f(1, b=3)\n"
    assert [c.symbol for c in dropped_parameters({"m.py": source})] == ["f(b)"]


def test_a_function_also_called_as_an_attribute_keeps_its_parameters() -> None:
    sources = {"m.py": "def f(a, b=2):\n    return a + b\n",
               "n.py": ("import m\nfrom m import f\n\n\ndef g():\n"
                        "    return f(1, b=3) + m.f(2, b=1)\n")}
    assert dropped_parameters(sources) == []


def test_removing_one_of_two_names_of_an_all_tuple_keeps_a_tuple() -> None:
    for exports in ("('f', 'g')", "('g', 'f')", "'f', 'g'"):
        source = (f"__all__ = {exports}\n\n\ndef f():\n    \"\"\"Doc.\"\"\"\n    return 1\n\n\n"
                  "def g():\n    return 2\n")
        (candidate,) = removed_features({"m.py": source})
        tree = ast.parse(candidate.mutations[0].mutated)
        assigned = tree.body[0]
        assert isinstance(assigned, ast.Assign)
        assert ast.literal_eval(assigned.value) == ("g",)
