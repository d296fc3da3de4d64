"""Navigation questions derived from the AST: a synthetic project, real packages, answer grading."""

from __future__ import annotations

import ast
import importlib
import re
import textwrap
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generators.tasks.localisation import (
    KINDS,
    LocalisationQuestion,
    Location,
    ProjectIndex,
    callee_questions,
    caller_questions,
    first_sentence,
    function_localisation_questions,
    grade_answer,
    index_project,
    keywords,
    parse_answer,
    select_questions,
)

SHOP = {
    "src/shop/__init__.py": '''
        """Shop package."""
        from .pricing import discount
        from .pricing import total as grand_total
        ''',
    "src/shop/util.py": '''
        """Helpers."""

        def clamp(value, low, high):
            """Limit a number so that it stays between two bounds inclusive."""
            return max(low, min(value, high))

        def fee():
            return 1

        def process(x):
            return x

        def _round_cents(amount):
            """Round a money amount to whole cents using banker's rounding."""
            return round(amount, 2)

        def fmt_a(v):
            """Format the value for display in the shop window."""

        def fmt_b(v):
            """Format the value for display in the shop window."""

        def alpha():
            """Return alpha for the configured shop currency today."""

        def beta():
            """Return beta for the configured shop currency today."""

        def outer():
            def inner():
                """Inner helper that is nested inside another function."""
            return inner

        class Worker:
            def __repr__(self):
                """Show the worker with its identifier and current state."""
                return "Worker"

            def process(self, x):
                return process(x)
        ''',
    "src/shop/pricing.py": '''
        """Pricing rules."""
        import shop.util as u
        from shop.util import clamp
        from . import util

        def discount(price, rate):
            """Apply a percentage discount to the given price and round it."""
            return round(clamp(price * (1 - rate), 0, price), 2)

        def total(items):
            """Sum the prices of all items in the basket after discounts."""
            return sum(discount(p, r) for p, r in items) + util.fee() + u.fee()

        def lazy():
            from .util import fee
            return fee()

        def checkout(cart):
            cart.check()
            return total(cart.items)

        class Cart:
            def __init__(self):
                self.items = []

            def add(self, price, rate):
                """Add one line to the shopping cart with its discount rate."""
                self.items.append((price, rate))
                self.check()

            def check(self):
                if len(self.items) > 10:
                    raise ValueError("too many items")

            def sum(self):
                return total(self.items)
        ''',
    "src/shop/broken.py": "def broken(:\n    pass\n",
    "src/shop/test_inline.py": "from shop.util import fee\n\ndef test_fee():\n    fee()\n",
    "tests/test_shop.py": "from shop.pricing import total\n\ndef test_total():\n    total([])\n",
    "docs/conf.py": "from shop.util import fee\nfee()\n",
    "setup.py": "from shop.util import fee\nfee()\n",
}

FLAT = {
    "app/__init__.py": "",
    "app/core.py": '''
        def wrap(f):
            return f

        def run():
            return 1

        def helper():
            return 2

        helper = wrap(helper)

        def boot():
            return 0

        def main():
            return boot()

        boot()
        ''',
    "app/sub/__init__.py": "",
    "app/sub/leaf.py": '''
        from ..core import run
        import app.core as core
        from .. import core as c2

        def go():
            return run() + core.run() + c2.helper()

        def dyn(runner, name):
            return getattr(runner, "do_" + name)()

        class Runner:
            def do_it(self):
                return 1

            def start(self):
                self.do_it()
                return self.later()

            def finish(self):
                return self.stop()

            def stop(self):
                return 0

            halt = stop

            def swap(self, other):
                self = other
                return self.do_it()
        ''',
}


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    return root


def _locs(*specs: str) -> set[Location]:
    return {Location(*spec.split("::")) for spec in specs}


def _answers(questions: list[LocalisationQuestion]) -> dict[str | None, set[str]]:
    return {str(q.subject) if q.subject else None: {str(a) for a in q.answer} for q in questions}


@pytest.fixture()
def shop(tmp_path: Path) -> ProjectIndex:
    return index_project(_write(tmp_path / "shop", SHOP))


@pytest.fixture()
def flat(tmp_path: Path) -> ProjectIndex:
    return index_project(_write(tmp_path / "flat", FLAT))


def test_src_layout_modules_functions_and_skips(shop: ProjectIndex) -> None:
    assert {p: m.name for p, m in shop.modules.items()} == {
        "src/shop/__init__.py": "shop", "src/shop/util.py": "shop.util",
        "src/shop/pricing.py": "shop.pricing"}
    assert set(shop.skipped) == {"src/shop/broken.py"}
    u, p = "src/shop/util.py::", "src/shop/pricing.py::"
    assert set(shop.functions) == _locs(*(u + q for q in (
        "clamp", "fee", "process", "_round_cents", "fmt_a", "fmt_b", "alpha", "beta", "outer",
        "outer.inner", "Worker.__repr__", "Worker.process")), *(p + q for q in (
        "discount", "total", "lazy", "checkout", "Cart.__init__", "Cart.add", "Cart.check",
        "Cart.sum")))
    assert shop.functions[Location("src/shop/util.py", "outer.inner")].nested
    assert shop.import_path(Location("src/shop/pricing.py", "Cart.add")) == "shop.pricing.Cart.add"


def test_src_layout_call_graph(shop: ProjectIndex) -> None:
    u, p = "src/shop/util.py::", "src/shop/pricing.py::"
    callees = {str(loc): {str(c) for c in f.calls.callees} for loc, f in shop.functions.items()
               if f.calls.callees}
    assert callees == {
        p + "discount": {u + "clamp"},                      # from shop.util import clamp
        p + "total": {p + "discount", u + "fee"},           # util.fee() and u.fee(); sum builtin
        p + "lazy": {u + "fee"},                            # import inside the function
        p + "checkout": {p + "total"},
        p + "Cart.add": {p + "Cart.check"},                 # self.check()
        p + "Cart.sum": {p + "total"},
        u + "Worker.process": {u + "process"},              # module function, not the method
    }
    checkout = shop.functions[Location("src/shop/pricing.py", "checkout")].calls
    assert checkout.unresolved == {"check"} and checkout.opaque == 0
    assert shop.callers(Location("src/shop/util.py", "fee")) == _locs(p + "lazy", p + "total")
    assert Location("src/shop/pricing.py", "total") in shop.aliased


def test_src_layout_questions_are_exact(shop: ProjectIndex) -> None:
    u, p = "src/shop/util.py::", "src/shop/pricing.py::"
    # process: also a method name; total: imported as grand_total; Cart.check: cart.check()
    assert _answers(caller_questions(shop)) == {
        u + "clamp": {p + "discount"},
        u + "fee": {p + "lazy", p + "total"},
        p + "discount": {p + "total"},
    }
    # checkout is left out: its unresolved cart.check() could be Cart.check
    assert _answers(callee_questions(shop)) == {
        p + "discount": {u + "clamp"},
        p + "total": {p + "discount", u + "fee"},
        p + "lazy": {u + "fee"},
        p + "Cart.add": {p + "Cart.check"},
        p + "Cart.sum": {p + "total"},
        u + "Worker.process": {u + "process"},
    }
    # every docstring there has a word found on one or two lines only: one grep finds it
    assert function_localisation_questions(shop) == []
    question = next(q for q in caller_questions(shop) if q.subject
                    and q.subject.qualname == "clamp")
    assert "`shop.util.clamp`" in question.question and "util.py" not in question.question


LEDGER = {
    "ledger/__init__.py": "",
    "ledger/book.py": '''
        # entries of the ledger book: record an account entry again and again
        def post(book, entry):
            """Record an entry of an account in the ledger book."""
            book.append(entry)

        def repost(book, entry):
            """Record again an entry of an account in the ledger book."""
            book.append(entry)

        def audit(book):
            """Audit the account entries of the ledger book against zebra records."""
            return book
        ''',
    "tests/test_book.py": "# record an entry again in the account ledger book\n# again\n",
}


def test_docstring_questions_list_words_and_have_one_answer(tmp_path: Path) -> None:
    index = index_project(_write(tmp_path / "ledger", LEDGER))
    found = function_localisation_questions(index)
    # repost's first sentence has every word of post's (two answers); "zebra" is on one
    # line only (grepping it finds audit)
    assert [str(q.answer[0]) for q in found] == ["ledger/book.py::repost"]
    (question,) = found
    assert "`account`, `again`, `book`, `entry`, `ledger`, `record`?" in question.question
    assert "repost" not in question.question and "book.py" not in question.question
    assert keywords("<fn> the account entries of the <arg> against zebra records.") == [
        "account", "against", "entries", "records", "zebra"]


def test_flat_layout_relative_imports_and_ambiguity(flat: ProjectIndex) -> None:
    assert {m.name for m in flat.modules.values()} == {"app", "app.core", "app.sub",
                                                     "app.sub.leaf"}
    go = flat.functions[Location("app/sub/leaf.py", "go")].calls
    assert go.callees == _locs("app/core.py::run")
    assert go.unresolved == {"helper"}                   # helper is re-bound by wrap()
    start = flat.functions[Location("app/sub/leaf.py", "Runner.start")].calls
    assert start.callees == _locs("app/sub/leaf.py::Runner.do_it")
    assert start.unresolved == {"later"}                 # not defined on Runner
    swap = flat.functions[Location("app/sub/leaf.py", "Runner.swap")].calls
    assert not swap.callees and swap.unresolved == {"do_it"}  # self is re-bound
    assert "do_" in flat.string_prefixes
    assert _answers(caller_questions(flat)) == {"app/core.py::run": {"app/sub/leaf.py::go"}}
    # go is left out: c2.helper() is unresolved and helper is a project function
    assert _answers(callee_questions(flat)) == {
        "app/core.py::main": {"app/core.py::boot"},
        "app/sub/leaf.py::Runner.start": {"app/sub/leaf.py::Runner.do_it"},
        "app/sub/leaf.py::Runner.finish": {"app/sub/leaf.py::Runner.stop"}}
    # boot is also called by module code; Runner.stop escapes as halt = stop; Runner.do_it may
    # be reached through "do_" + name
    assert flat.callers(Location("app/core.py", "boot")) == _locs("app/core.py::main")
    stop = Location("app/sub/leaf.py", "Runner.stop")
    assert flat.callers(stop) == {Location("app/sub/leaf.py", "Runner.finish")}
    assert stop in flat.toplevel.refs


def test_include_globs_and_first_sentence(tmp_path: Path) -> None:
    root = _write(tmp_path / "shop", SHOP)
    only = index_project(root, include=("src/shop/util.py",))
    assert set(only.modules) == {"src/shop/util.py"}
    assert first_sentence("Return the value, e.g. a number.  More text.\n\nLater.") == \
        "Return the value, e.g. a number."
    assert first_sentence("No full stop\nover two lines") == "No full stop over two lines"
    assert first_sentence("Para one\n   \nPara two. More.") == "Para one"


# Real projects: properties that hold for every question.

def _package_root(name: str) -> Path:
    module = importlib.import_module(name)
    assert module.__file__ is not None
    return Path(module.__file__).parent


def _definitions(tree: ast.Module) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    """qualname (without <locals>) -> def, by a walk independent of the indexer."""
    found: dict[str, ast.FunctionDef | ast.AsyncFunctionDef] = {}

    def walk(node: ast.AST, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                found[prefix + child.name] = child
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                walk(child, f"{prefix}{child.name}.")
            else:
                walk(child, prefix)

    walk(tree, "")
    return found


def _own_call_names(function: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    names: set[str] = set()
    stack: list[ast.AST] = list(function.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            continue
        if isinstance(node, ast.Call):
            func = node.func
            names.add(func.id if isinstance(func, ast.Name) else
                      func.attr if isinstance(func, ast.Attribute) else "")
        stack.extend(ast.iter_child_nodes(node))
    return names


Real = tuple[ProjectIndex, dict[str, list[LocalisationQuestion]]]


@pytest.fixture(scope="module", params=[
    "json", "email", "tomllib", "httpx", pytest.param("pydantic", marks=pytest.mark.slow)])
def real(request: pytest.FixtureRequest) -> Real:
    name: str = request.param
    pytest.importorskip(name)
    index = index_project(_package_root(name))
    return index, {"function_localisation": function_localisation_questions(index),
                   "callers": caller_questions(index), "callees": callee_questions(index)}


def test_real_answers_exist_and_are_sound(
        real: Real) -> None:
    index, questions = real
    defs = {path: _definitions(ast.parse((index.root / path).read_bytes()))
            for path in index.modules}
    assert len(defs) == len(index.modules) and not index.skipped
    for kind, batch in questions.items():
        for q in batch:
            assert q.kind == kind and 0 < len(q.answer) <= 8 and list(q.answer) == sorted(q.answer)
            assert len(set(q.answer)) == len(q.answer)
            for location in (*q.answer, *([q.subject] if q.subject else [])):
                assert location.qualname in defs[location.path], location
            if kind == "function_localisation":
                (location,) = q.answer
                name = location.qualname.rsplit(".", 1)[-1]
                assert not re.search(rf"(?<!\w){re.escape(name)}(?!\w)", q.question, re.I)
                assert location.path.rsplit("/", 1)[-1] not in q.question
                node = defs[location.path][location.qualname]
                sentence = first_sentence(ast.get_docstring(node) or "").casefold()
                words = re.findall(r"`(\w+)`", q.question)
                assert len(words) >= 4 and words == sorted(words)
                assert all(re.search(rf"\b{w}\b", sentence) for w in words)
                # words in a list, nothing of the sentence quoted: no verbatim grep
                assert re.fullmatch(r"Which function or method has a docstring whose first "
                                    r"sentence uses every one of these words \(listed in "
                                    r"alphabetical order, not quoted\): `\w+`(?:, `\w+`)*\? "
                                    r"Answer with locations .*", q.question)
            elif kind == "callers":
                assert q.subject is not None
                name = q.subject.qualname.rsplit(".", 1)[-1]
                assert f"`{index.import_path(q.subject)}`" in q.question
                for caller in q.answer:
                    assert name in _own_call_names(defs[caller.path][caller.qualname]), caller
            else:
                assert q.subject is not None
                calls = _own_call_names(defs[q.subject.path][q.subject.qualname])
                for callee in q.answer:
                    assert callee.qualname.rsplit(".", 1)[-1] in calls, (q.subject, callee)


def test_real_selection_is_deterministic_and_balanced(
        real: Real) -> None:
    index, questions = real
    first = select_questions(index, seed=1, count=12)
    assert first == select_questions(index, seed=1, count=12)
    pools = {kind: len(batch) for kind, batch in questions.items()}
    assert len(first) == min(12, sum(pools.values()))
    kinds = Counter(q.kind for q in first)
    for kind in KINDS:  # round robin: a kind with questions left is at most one behind
        assert kinds[kind] == pools[kind] or kinds[kind] >= max(kinds.values()) - 1
    everything = {q.question for batch in questions.values() for q in batch}
    assert {q.question for q in first} <= everything
    if sum(pools.values()) > 24:
        assert [q.question for q in first] != [
            q.question for q in select_questions(index, seed=2, count=12)]


def test_real_question_counts() -> None:
    index = index_project(_package_root("email"))
    counts = {kind: len(gen(index)) for kind, gen in (
        ("function_localisation", function_localisation_questions),
        ("callers", caller_questions), ("callees", callee_questions))}
    assert all(n >= 20 for n in counts.values()), counts


# Grading.

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ_"
_IDENT = st.builds(str.__add__, st.sampled_from(_LETTERS),
                   st.text(_LETTERS + "0123456789", max_size=6))
_PART = st.builds(str.__add__, st.sampled_from(_LETTERS),
                  st.text(_LETTERS + "0123456789-", max_size=6))
_LOCATION = st.builds(
    lambda parts, qual: Location("/".join(parts) + ".py", ".".join(qual)),
    st.lists(_PART, min_size=1, max_size=3), st.lists(_IDENT, min_size=1, max_size=3))
_FORMS = [
    "{loc}", "- `{loc}`", "* **{loc}**", "1. {loc}()", "./{loc}", "{path}:{qual}",
    "{path}::{pytest}", "The culprit is {loc}.", "({loc}),", "'{loc}'", "{win}",
]


def _render(location: Location, form: str) -> str:
    return form.format(loc=str(location), path=location.path, qual=location.qualname,
                       pytest=location.qualname.replace(".", "::"),
                       win=str(location).replace("/", "\\"))


@given(st.lists(st.tuples(_LOCATION, st.sampled_from(_FORMS)), max_size=6),
       st.sampled_from(["\n", ", ", " and ", " ; "]))
def test_parse_answer_round_trips(items: list[tuple[Location, str]], sep: str) -> None:
    text = "Answer:\n" + sep.join(_render(loc, form) for loc, form in items)
    assert parse_answer(text) == {loc for loc, _ in items}


@given(st.sets(_LOCATION, max_size=5), st.sets(_LOCATION, max_size=5), st.data())
def test_grade_answer_set_semantics(expected: set[Location], answered: set[Location],
                                    data: st.DataObject) -> None:
    overlap = data.draw(st.sets(st.sampled_from(sorted(expected)), max_size=len(expected))) \
        if expected else set()
    answered |= overlap
    text = "\n".join(_render(loc, data.draw(st.sampled_from(_FORMS))) for loc in answered)
    grade = grade_answer(sorted(expected), text)
    assert grade.correct == (answered == expected)
    hits = expected & answered
    assert set(grade.found) == hits and set(grade.missing) == expected - answered
    assert set(grade.extra) == answered - expected
    assert grade.recall == (len(hits) / len(expected) if expected else 1.0)
    assert grade.precision == (len(hits) / len(answered) if answered else float(not expected))


def test_parse_answer_rejects_and_normalises() -> None:
    assert parse_answer("see /abs/pkg/mod.py::f and pkg/mod.py:12 and mod.py: nothing") == set()
    assert parse_answer("././pkg/mod.py::outer.<locals>.inner") == {
        Location("pkg/mod.py", "outer.inner")}
    assert parse_answer("pkg\\mod.py::A::b, pkg/mod.py:A.b") == {Location("pkg/mod.py", "A.b")}
    assert not grade_answer([Location("a.py", "f")], "a.py::f\na.py::g").correct
    assert grade_answer([Location("a.py", "f")], "It is `a.py::f()`.").correct
