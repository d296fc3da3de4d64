"""Procedural bug injection: exact per-operator examples, skip rules, git-applicable diffs, and
property tests over generated programs and real stdlib / installed-package modules."""

from __future__ import annotations

import ast
import difflib
import functools
import importlib
import inspect
import subprocess
import sys
import textwrap
import warnings
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generators.tasks.mutations import (
    OPERATOR_WEIGHTS,
    OPERATORS,
    Mutation,
    candidate_mutations,
    combine,
    unified_diff,
    weighted_order,
)


def mutants(source: str, operator: str) -> list[str]:
    """The mutated texts one operator produces for a dedented source."""
    return [m.mutated for m in candidate_mutations("m.py", textwrap.dedent(source), [operator])]


def src(text: str) -> str:
    return textwrap.dedent(text)


# -- one hand-written example per operator, with the exact mutated text -----------------------

def test_flip_comparison() -> None:
    assert mutants("def f(a, b):\n    return a < b\n", "flip_comparison") == [
        "def f(a, b):\n    return a >= b\n"]
    assert mutants("def f(a, b):\n    return a is  not b or a not in b\n", "flip_comparison") == [
        "def f(a, b):\n    return a is b or a not in b\n",
        "def f(a, b):\n    return a is  not b or a in b\n"]


def test_off_by_one_in_indices_ranges_and_comparisons_only() -> None:
    assert mutants("def f(xs):\n    return xs[1:], len(xs) > 0, g(4)\n", "off_by_one") == [
        "def f(xs):\n    return xs[2:], len(xs) > 0, g(4)\n",
        "def f(xs):\n    return xs[0:], len(xs) > 0, g(4)\n",
        "def f(xs):\n    return xs[1:], len(xs) > 1, g(4)\n",
        "def f(xs):\n    return xs[1:], len(xs) > -1, g(4)\n"]
    assert mutants("def f():\n    return range(0x10), x[10**9]\n", "off_by_one") == [
        "def f():\n    return range(0x11), x[10**9]\n",
        "def f():\n    return range(0xf), x[10**9]\n",
        "def f():\n    return range(0x10), x[11**9]\n",
        "def f():\n    return range(0x10), x[9**9]\n",
        "def f():\n    return range(0x10), x[10**10]\n",
        "def f():\n    return range(0x10), x[10**8]\n"]


def test_change_constant_flips_booleans_and_bumps_other_small_ints() -> None:
    assert mutants("def f():\n    return g(True, 2, xs[0], 99999999)\n", "change_constant") == [
        "def f():\n    return g(False, 2, xs[0], 99999999)\n",
        "def f():\n    return g(True, 3, xs[0], 99999999)\n"]


def test_drop_statement_spares_docstrings_imports_and_the_final_return() -> None:
    source = '''
        def f(x):
            """Doc."""
            import os
            y = x + 1
            log(y)  # note
            pass
            return y
    '''
    dropped = [set(src(source).splitlines()) - set(m.splitlines())
               for m in mutants(source, "drop_statement")]
    assert dropped == [{"    y = x + 1"}, {"    log(y)  # note"}]
    assert mutants("def f(x):\n    return x\n", "drop_statement") == []


def test_invert_condition_parenthesises_loose_tests() -> None:
    source = "def f(a, b):\n    if a and b:\n        a = b\n    while(a):\n        a = b\n" \
             "    return 1 if a else 2\n"
    assert mutants(source, "invert_condition") == [
        source.replace("if a and b:", "if not (a and b):"),
        source.replace("while(a):", "while not (a):"),
        source.replace("1 if a else", "1 if not a else")]
    assert mutants("def f(a):\n    if not a:\n        a()\n    while True:\n        a()\n",
                   "invert_condition") == []


def test_swap_arguments() -> None:
    assert mutants("def f(a, b):\n    return g(a, b + 1, key=a)\n", "swap_arguments") == [
        "def f(a, b):\n    return g(b + 1, a, key=a)\n"]
    assert mutants("def f(a, b):\n    return g(a, a), max(a, b), g(*a, b=1)\n",
                   "swap_arguments") == []


def test_artificial_bugs_are_not_made() -> None:
    """No double negation, no `[-0]`, no swapped arguments of a builtin."""
    assert mutants("def f(a, b):\n    if a != b:\n        a()\n    return a\n",
                   "invert_condition") == []
    assert mutants("def f(xs):\n    return xs[-1]\n", "off_by_one") == [
        "def f(xs):\n    return xs[-2]\n"]
    assert mutants("def f(a, b):\n    return isinstance(a, b), getattr(a, b), g(a, b)\n",
                   "swap_arguments") == ["def f(a, b):\n    return isinstance(a, b), "
                                         "getattr(a, b), g(b, a)\n"]


def _fake(operator: str, path: str, index: int, description: str = "") -> Mutation:
    return Mutation(operator, path, f"f{index}", index, description or f"edit {index}", "", "")


@given(st.lists(st.tuples(st.sampled_from(sorted(OPERATOR_WEIGHTS)),
                          st.sampled_from(["a.py", "b.py"]), st.integers(0, 5)),
                max_size=40), st.integers(0, 2**32))
def test_weighted_order_keeps_one_of_each_edit_per_file_and_is_seeded(
        drawn: list[tuple[str, str, int]], seed: int) -> None:
    import random
    mutations = [_fake(op, path, i, f"edit {n}") for i, (op, path, n) in enumerate(drawn)]
    ordered = weighted_order(mutations, random.Random(seed))
    keys = [(m.path, m.operator, m.description) for m in ordered]
    assert len(keys) == len(set(keys))
    assert set(keys) == {(m.path, m.operator, m.description) for m in mutations}
    assert all(m in mutations for m in ordered)
    assert ordered == weighted_order(mutations, random.Random(seed))


def test_weighted_order_draws_heavy_operators_first() -> None:
    import random
    heavy = [_fake("flip_comparison", "a.py", i) for i in range(500)]
    light = [_fake("swap_loop_control", "a.py", i) for i in range(500, 1000)]
    first = weighted_order(heavy + light, random.Random(7))[:200]
    share = sum(m.operator == "flip_comparison" for m in first) / len(first)
    # weights 3:1 put about 75% of the first picks on the heavy operator; uniform gives 50%
    assert share > 0.6


def test_the_operator_mix_follows_the_weights_not_the_candidate_counts() -> None:
    import random
    many = [_fake("swap_arguments", "a.py", i) for i in range(900)]  # weight 1
    few = [_fake("flip_comparison", "a.py", i) for i in range(900, 1000)]  # weight 3
    first = weighted_order(many + few, random.Random(3))[:60]
    share = sum(m.operator == "flip_comparison" for m in first) / len(first)
    assert share > 0.6  # drawn by abundance it would be about 10%


def test_remove_early_return() -> None:
    source = "def f(x):\n    if x is None:\n        return 0\n    if x < 0: return -1\n" \
             "    return x * 2\n"
    assert mutants(source, "remove_early_return") == [
        "def f(x):\n    if x < 0: return -1\n    return x * 2\n",
        "def f(x):\n    if x is None:\n        return 0\n    return x * 2\n"]
    assert mutants("def f(x):\n    y = 1\n    if x:\n        return y\n",
                   "remove_early_return") == []
    assert mutants("def f(x):\n    if x:\n        return 1\n    else:\n        g()\n    g()\n",
                   "remove_early_return") == []


def test_remove_raise_guard() -> None:
    assert mutants("def f(x):\n    # check\n    if x < 0:\n        raise ValueError(x)\n"
                   "    return x\n", "remove_raise_guard") == [
        "def f(x):\n    # check\n    return x\n"]


def test_swap_boolean_operator() -> None:
    assert mutants("def f(a, b, c):\n    return a and b or c\n", "swap_boolean_operator") == [
        "def f(a, b, c):\n    return a or b or c\n",
        "def f(a, b, c):\n    return a and b and c\n"]


def test_swap_arithmetic_skips_string_and_sequence_literals() -> None:
    assert mutants("def f(a, b, c):\n    return a + b * c\n", "swap_arithmetic") == [
        "def f(a, b, c):\n    return a - b * c\n",
        "def f(a, b, c):\n    return a + b / c\n"]
    assert mutants("def f(a, n):\n    return '%s' % a, [0] * n, 'x' + a\n",
                   "swap_arithmetic") == []


def test_swap_augmented_assignment() -> None:
    assert mutants("def f(t, x):\n    t += x\n    t += 'x'\n    return t\n",
                   "swap_augmented_assignment") == [
        "def f(t, x):\n    t -= x\n    t += 'x'\n    return t\n"]


def test_remove_negation() -> None:
    assert mutants("def f(a):\n    if not(a):\n        return not  a\n", "remove_negation") == [
        "def f(a):\n    if (a):\n        return not  a\n",
        "def f(a):\n    if not(a):\n        return a\n"]


def test_swap_loop_control() -> None:
    source = "def f(xs):\n    for x in xs:\n        if x:\n            continue\n        break\n"
    assert mutants(source, "swap_loop_control") == [
        source.replace("continue", "break", 1),
        source.replace("        break", "        continue")]


def test_swap_min_max() -> None:
    assert mutants("def f(a, b, c):\n    return min(a, max(b, c))\n", "swap_min_max") == [
        "def f(a, b, c):\n    return max(a, max(b, c))\n",
        "def f(a, b, c):\n    return min(a, min(b, c))\n"]


def test_every_operator_has_an_example_above() -> None:
    tested = {name.removeprefix("test_") for name, _ in inspect.getmembers(
        sys.modules[__name__], inspect.isfunction)}
    assert all(any(t.startswith(op) for t in tested) for op in OPERATORS)


# -- what is never mutated, metadata, ordering ------------------------------------------------

def test_skips_module_level_special_blocks_dunders_decorators_annotations_fstrings() -> None:
    source = src('''
        """Doc 1 < 2."""
        from typing import TYPE_CHECKING
        X = 1 + 2

        if TYPE_CHECKING:
            def g(a): return a < 1

        class C:
            y = True

            def __repr__(self):
                return str(1 + 2)

            def __str__(self): return str(1 < 2)

            @decorate(1 + 2)
            def m(self, a: Literal[1] = 1 + 2) -> Literal[True]:
                """Doc 1 < 2."""
                x: Literal[True] = None
                return f"{a < 1}"

        def main():
            if __name__ == "__main__":
                run(1 < 2)
            return 0

        if __name__ == "__main__":
            main(1 < 2)
    ''')
    found = [(m.operator, m.symbol, m.line) for m in candidate_mutations("m.py", source)]
    assert found == [("drop_statement", "C.m", 20), ("change_constant", "main", 26)]


def test_symbols_are_dotted_and_lines_point_at_the_mutated_node() -> None:
    source = src('''
        class Cache:
            def get(self, k):
                def probe(i):
                    return i < 1
                return probe(k)
    ''')
    [mutation] = candidate_mutations("pkg/cache.py", source, ["flip_comparison"])
    assert (mutation.path, mutation.symbol, mutation.line) == ("pkg/cache.py", "Cache.get.probe", 5)
    assert mutation.description == "`<` became `>=`"
    assert mutation.original == source


def test_no_statement_removal_where_nonlocal_needs_the_binding() -> None:
    source = src('''
        def outer():
            count = 0
            def bump():
                nonlocal count
                count += 1
            bump()
            return count
    ''')
    mutations = candidate_mutations("m.py", source)
    assert {m.operator for m in mutations} == {"change_constant", "swap_augmented_assignment"}
    for mutation in mutations:
        compile(mutation.mutated, "m.py", "exec")


def test_order_is_by_line_column_operator_and_operators_can_be_selected() -> None:
    source = "def f(a, b):\n    x = a < 1\n    return x and not b\n"
    mutations = candidate_mutations("m.py", source)
    assert [(m.line, m.operator) for m in mutations] == [
        (2, "drop_statement"), (2, "flip_comparison"), (2, "off_by_one"), (2, "off_by_one"),
        (3, "swap_boolean_operator"), (3, "remove_negation")]
    assert candidate_mutations("m.py", source, ["remove_negation"]) == mutations[-1:]
    with pytest.raises(ValueError, match="nope"):
        candidate_mutations("m.py", source, ["nope"])


def test_combine_one_mutation_per_file() -> None:
    a = candidate_mutations("b.py", "def f(a):\n    return a < 1\n")
    b = candidate_mutations("a.py", "def g(a):\n    return a and 1\n")
    assert combine([a[0], b[0]]) == [("a.py", b[0].original, b[0].mutated),
                                     ("b.py", a[0].original, a[0].mutated)]
    with pytest.raises(ValueError, match=r"b\.py"):
        combine([a[0], a[1]])


# -- unified_diff, checked with real git ------------------------------------------------------

def git(repo: Path, *args: str, patch: str | None = None) -> None:
    subprocess.run(["git", "-c", "core.autocrlf=false", *args], cwd=repo, check=True,
                   capture_output=True, input=None if patch is None else patch.encode())


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("repo")
    git(path, "init", "-q")
    return path


def assert_git_round_trip(repo: Path, path: str, before: str, after: str) -> None:
    """The patch applies to ``before`` giving ``after`` byte for byte, and reverses cleanly."""
    target = repo / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(before.encode())
    patch = unified_diff(path, before, after)
    git(repo, "apply", "--check", patch=patch)
    git(repo, "apply", patch=patch)
    assert target.read_bytes() == after.encode()
    git(repo, "apply", "-R", patch=patch)
    assert target.read_bytes() == before.encode()


def test_unified_diff_format() -> None:
    assert unified_diff("p/m.py", "a\nb\n", "a\nc") == (
        "diff --git a/p/m.py b/p/m.py\n--- a/p/m.py\n+++ b/p/m.py\n@@ -1,2 +1,2 @@\n"
        " a\n-b\n+c\n\\ No newline at end of file\n")
    assert unified_diff("m.py", "same\n", "same\n") == ""


LINES = st.lists(st.sampled_from(["", "x", "y = 1", "  z", "w\r", "\tq", "u\x0cv"]), max_size=12)


@settings(max_examples=25, deadline=None)
@given(before=LINES, after=LINES, end_before=st.booleans(), end_after=st.booleans())
def test_unified_diff_applies_with_git(repo: Path, before: list[str], after: list[str],
                                       end_before: bool, end_after: bool) -> None:
    old = "\n".join(before) + ("\n" if end_before and before else "")
    new = "\n".join(after) + ("\n" if end_after and after else "")
    if old != new:
        assert_git_round_trip(repo, "d/f.txt", old, new)


# -- invariants every mutation must satisfy ---------------------------------------------------

def function_ranges(source: str) -> dict[str, list[tuple[int, int]]]:
    """Dotted name (class/function chain) -> line ranges of the functions so named."""
    ranges: dict[str, list[tuple[int, int]]] = {}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                name = prefix + child.name
                if not isinstance(child, ast.ClassDef):
                    ranges.setdefault(name, []).append((child.lineno, child.end_lineno or 0))
                walk(child, name + ".")
            else:
                walk(child, prefix)
    walk(ast.parse(source), "")
    return ranges


def common_prefix(a: str, b: str) -> int:
    low, high = 0, min(len(a), len(b))  # bisect with C-speed slice comparisons
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if a[:middle] == b[:middle] else (low, middle - 1)
    return low


def line_at(text: str, offset: int) -> int:
    return text.count("\n", 0, offset) + 1


def check(path: str, source: str, mutations: list[Mutation]) -> None:
    """List-level invariants, then every mutation's own."""
    lines = [m.line for m in mutations]
    assert lines == sorted(lines)
    assert len({m.mutated for m in mutations}) == len(mutations)
    ranges = function_ranges(source)
    for mutation in mutations:
        check_one(path, source, mutation, ranges)


def check_one(path: str, source: str, m: Mutation,
              ranges: dict[str, list[tuple[int, int]]] | None = None) -> None:
    """Compiles, differs, one contiguous change inside the named function, at or after m.line."""
    assert (m.path, m.original) == (path, source) and m.operator in OPERATORS
    assert m.mutated != source and m.description
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SyntaxWarning)  # `x is 1` in generated programs
        compile(m.mutated, path, "exec", dont_inherit=True)
    ranges = function_ranges(source) if ranges is None else ranges
    assert m.symbol in ranges, m
    inside = [hi for lo, hi in ranges[m.symbol] if lo <= m.line <= hi]
    assert inside, m
    # the changed region: strip the common prefix and suffix
    prefix = common_prefix(source, m.mutated)
    suffix = common_prefix(source[prefix:][::-1], m.mutated[prefix:][::-1])
    start = line_at(source, prefix)
    stop = line_at(source, max(prefix, len(source) - suffix - 1))
    assert m.line <= start and stop <= inside[0], (m, start, stop)
    # one contiguous region: within those lines, a single run of changed lines
    old = source.splitlines()[start - 1:stop]
    grown = len(m.mutated.splitlines()) - len(source.splitlines())
    new = m.mutated.splitlines()[start - 1:stop + grown]
    runs = [op for op in difflib.SequenceMatcher(None, old, new, autojunk=False).get_opcodes()
            if op[0] != "equal"]
    assert len(runs) == 1 or (m.operator == "swap_arguments" and len(runs) == 2), m


def test_crlf_tabs_and_a_missing_final_newline(repo: Path) -> None:
    source = "def f(a):\r\n\tif a < 1:  # low\r\n\t\treturn 2\r\n\tlog(a)\r\n\treturn a or f(a, 1)"
    mutations = candidate_mutations("crlf.py", source)
    assert {m.operator for m in mutations} >= {"drop_statement", "remove_early_return",
                                               "swap_arguments", "flip_comparison"}
    assert [m.mutated for m in mutations if m.operator == "remove_early_return"] == [
        "def f(a):\r\n\tlog(a)\r\n\treturn a or f(a, 1)"]
    check("crlf.py", source, mutations)
    for mutation in mutations:
        assert_git_round_trip(repo, "crlf.py", source, mutation.mutated)


# -- generated programs -----------------------------------------------------------------------

NAMES = st.sampled_from(["a", "b", "n", "items", "self.size"])
ATOMS = st.one_of(NAMES, st.integers(0, 12).map(str), st.sampled_from(["True", "False", "None"]))
ARITHMETIC = st.sampled_from(["+", "-", "*", "/", "//", "%"])
COMPARE = st.sampled_from(["<", "<=", ">", ">=", "==", "!=", "is", "is not", "in", "not in"])


@st.composite
def expressions(draw: st.DrawFn, depth: int = 1) -> str:
    kind = draw(st.sampled_from(["atom", "arith", "cmp", "bool", "not", "call", "index", "slice",
                                 "ternary", "minmax"]) if depth else st.just("atom"))

    def sub() -> str:
        text = draw(expressions(depth - 1))
        return text if text.isidentifier() or text.isdigit() else f"({text})"

    forms: dict[str, Callable[[], str]] = {
        "atom": lambda: draw(ATOMS),
        "arith": lambda: f"{sub()} {draw(ARITHMETIC)} {sub()}",
        "cmp": lambda: f"{sub()} {draw(COMPARE)} {sub()}",
        "bool": lambda: f"{sub()} {draw(st.sampled_from(['and', 'or']))} {sub()}",
        "not": lambda: f"not {sub()}",
        "call": lambda: f"helper({sub()}, {sub()}, key={sub()})",
        "index": lambda: f"items[{draw(st.integers(-2, 3))}]",
        "slice": lambda: f"items[{draw(st.integers(0, 3))}:n - 1]",
        "ternary": lambda: f"{sub()} if {sub()} else {sub()}",
        "minmax": lambda: f"{draw(st.sampled_from(['min', 'max']))}({sub()}, {sub()})",
    }
    return forms[kind]()


def indent(lines: list[str]) -> list[str]:
    return ["    " + line for line in lines]


@st.composite
def blocks(draw: st.DrawFn, depth: int = 1, in_loop: bool = False) -> list[str]:
    lines: list[str] = []
    kinds = ["assign", "augment", "call", "guard", "raise"]
    kinds += ["if", "for", "while"] if depth else []
    kinds += ["loop_control"] if in_loop else []
    for kind in draw(st.lists(st.sampled_from(kinds), min_size=1, max_size=3)):
        expr, cond = draw(expressions()), draw(expressions())
        if kind == "assign":
            lines.append(f"{draw(NAMES)} = {expr}")
        elif kind == "augment":
            lines.append(f"n {draw(st.sampled_from(['+=', '-=', '*=']))} {expr}")
        elif kind == "call":
            lines.append(f"log({expr}, {cond})  # trace")
        elif kind == "guard":
            lines += [f"if {cond}:", f"    return {expr}"]
        elif kind == "raise":
            lines += [f"if {cond}: raise ValueError({expr})"]
        elif kind == "loop_control":
            lines += [f"if {cond}:", f"    {draw(st.sampled_from(['break', 'continue']))}"]
        elif kind == "if":
            lines += [f"if {cond}:", *indent(draw(blocks(depth - 1, in_loop)))]
            if draw(st.booleans()):
                lines += ["else:", *indent(draw(blocks(depth - 1, in_loop)))]
        elif kind == "for":
            lines += [f"for i in range({draw(st.integers(0, 2))}, n):",
                      *indent(draw(blocks(depth - 1, True)))]
        else:
            lines += [f"while {cond}:", *indent(["n -= 1", *draw(blocks(depth - 1, True))])]
    return lines


@st.composite
def functions(draw: st.DrawFn, name: str, method: bool = False) -> list[str]:
    params = "self, a, b, n, items" if method else "a, b, n, items"
    body = ['"""Docstring: a < b."""'] if draw(st.booleans()) else []
    if draw(st.booleans()):
        body += ["def inner(x):", f"    return x + ({draw(expressions(1))})"]
    body += [*draw(blocks()), f"return {draw(expressions(2))}"]
    return [f"def {name}({params}):", *indent(body), ""]


@st.composite
def programs(draw: st.DrawFn) -> str:
    lines = ['"""Generated module."""', "import os", "LIMIT = 1 + 2", ""]
    for index in range(draw(st.integers(1, 2))):
        if draw(st.booleans()):
            lines += [f"class C{index}:", "    size = 0", ""]
            lines += indent(draw(functions("method", method=True)))
        else:
            lines += draw(functions(f"f{index}"))
    lines += ['if __name__ == "__main__":', "    print(f0(1, 2, 3, []) < 1)"]
    return "\n".join(lines) + draw(st.sampled_from(["\n", ""]))


@settings(max_examples=40, deadline=None)
@given(program=programs(), data=st.data())
def test_generated_programs(repo: Path, program: str, data: st.DataObject) -> None:
    mutations = candidate_mutations("pkg/gen.py", program)
    assert mutations
    check("pkg/gen.py", program, mutations)
    assert candidate_mutations("pkg/gen.py", program) == mutations
    mutation = data.draw(st.sampled_from(mutations))
    assert_git_round_trip(repo, "pkg/gen.py", program, mutation.mutated)


# -- real modules: the stdlib and installed packages ------------------------------------------

SMALL = ["textwrap", "json.decoder", "json.encoder", "shlex", "httpx._urlparse", "tqdm.utils"]
CORPUS = [*SMALL, "tomllib._parser", "pathlib", "fractions"]


@functools.cache
def corpus(name: str) -> tuple[str, str, list[Mutation]]:
    source = inspect.getsource(importlib.import_module(name))
    path = name.replace(".", "/") + ".py"
    return path, source, candidate_mutations(path, source)


@pytest.mark.parametrize("name", SMALL)
def test_every_mutation_of_real_modules(name: str) -> None:
    path, source, mutations = corpus(name)
    assert len(mutations) > 50
    check(path, source, mutations)
    assert candidate_mutations(path, source) == mutations


@settings(max_examples=30, deadline=None)
@given(name=st.sampled_from(CORPUS), data=st.data())
def test_sampled_mutations_of_real_modules(repo: Path, name: str, data: st.DataObject) -> None:
    path, source, mutations = corpus(name)
    mutation = data.draw(st.sampled_from(mutations))
    check_one(path, source, mutation)
    assert_git_round_trip(repo, path, source, mutation.mutated)
