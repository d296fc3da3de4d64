"""SWE-smith-style procedural bug injection: single-site mutations of Python source with libcst.

``candidate_mutations(path, source)`` lists every single-site mutation inside function bodies,
ordered by line, column and operator (no randomness: callers pick with a seeded ``Random``). Each
splices the original text at libcst ``PositionProvider`` offsets; everything else is untouched.
Operators (``OPERATORS``):

- flip_comparison: ``<``/``>=``, ``<=``/``>``, ``==``/``!=``, ``is``/``is not``, ``in``/``not in``.
- off_by_one: an int literal (|n| <= 65536) that is an index, slice bound, ``range`` argument or
  comparison operand (maybe inside +/- arithmetic) becomes n+1, and n-1 (never ``-0``).
- change_constant: ``True``/``False`` flipped; any other small int literal becomes n+1.
- drop_statement: a one-statement line removed from a block of >= 2 statements; never an import,
  ``pass``, ``...``, bare string (docstring), ``global``/``nonlocal``, bare ``yield`` or
  annotation, or a ``return`` ending its block.
- invert_condition: ``not`` prepended to an if/elif/while/ternary/comprehension test (with
  parentheses for and/or/ternary/lambda/walrus tests); not for ``not x``, comparisons (a
  double negation such as ``not a != b``; flip_comparison makes those bugs) or constants.
- swap_arguments: two adjacent, textually different positional arguments swapped (not in
  calls of builtins such as ``isinstance`` or ``getattr``, where the swap is a TypeError).
- remove_early_return / remove_raise_guard: an ``if ...: return ...`` / ``if ...: raise ...``
  guard (one-statement body, no ``else``, not the last statement of its block) deleted.
- swap_boolean_operator: ``and``/``or``.  remove_negation: ``not x`` becomes ``x``.
- swap_arithmetic: ``+``/``-``, ``*``/``/``, ``//``/``%``, ``<<``/``>>``; swap_augmented_assignment:
  ``+=``/``-=``, ``*=``/``/=``. Neither when an operand is a str/list/tuple literal
  (concatenation, repetition, %-formatting), where the bug could only be a TypeError.
- swap_loop_control: ``break``/``continue``.  swap_min_max: ``min(...)``/``max(...)``.

Callers draw candidates with ``weighted_order`` (``OPERATOR_WEIGHTS``: realistic slips more
often than rare ones, the same edit once per file).

Never mutated: code outside functions, ``__repr__``/``__str__``, ``if __name__ == "__main__"`` and
``if TYPE_CHECKING`` blocks, decorators, parameter lists, annotations, docstrings, f-strings.
Nothing is removed from a function whose text mentions ``nonlocal`` (removing the binding it
needs is a SyntaxError). Symbols are dotted: ``Class.method``, ``outer.inner``.
"""

from __future__ import annotations

import bisect
import builtins
import dataclasses
import difflib
import random
import re
import warnings
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, NamedTuple

with warnings.catch_warnings():  # libcst 1.0 warns about mypy_extensions.TypedDict on import
    warnings.simplefilter("ignore", DeprecationWarning)
    import libcst as cst
    from libcst.metadata import CodeRange, MetadataWrapper, PositionProvider

__all__ = ["OPERATORS", "OPERATOR_WEIGHTS", "Mutation", "candidate_mutations", "combine",
           "unified_diff", "weighted_order"]


@dataclasses.dataclass(frozen=True)
class Mutation:
    """One single-site bug: ``mutated`` is ``original`` with one contiguous region changed."""

    operator: str
    path: str
    symbol: str
    line: int
    description: str
    original: str
    mutated: str


class _Edit(NamedTuple):
    start: int
    end: int
    text: str
    description: str


_NEWLINE = re.compile(r"\r\n?|\n")  # libcst's own line splitting
_MAX_INT = 1 << 16
_SKIPPED_FUNCTIONS = frozenset({"__repr__", "__str__"})
_SKIPPED_NODES = frozenset({cst.Annotation, cst.Decorator, cst.FormattedString})
# Fields holding only whitespace, punctuation or operator tokens are not walked.
_NOT_CODE = ("whitespace", "lpar", "rpar", "comma", "leading_lines", "lines_after_decorators",
             "header", "footer", "semicolon", "equal", "colon", "dot", "asynchronous", "operator")
_CHILD_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {}
_LITERALS = (cst.SimpleString, cst.ConcatenatedString, cst.FormattedString, cst.List, cst.Tuple,
             cst.ListComp)
_LOOSE = (cst.BooleanOperation, cst.IfExp, cst.Lambda, cst.NamedExpr)  # bind looser than `not`
_BUILTIN_NAMES = frozenset(dir(builtins))


def _word(char: str) -> bool:
    return char.isalnum() or char == "_"


def _short(text: str) -> str:
    first = (text.strip().splitlines() or [""])[0]
    return first if len(first) <= 60 else first[:57] + "..."


def _children(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    names = _CHILD_FIELDS.get(type(node))
    if names is None:
        names = _CHILD_FIELDS[type(node)] = tuple(
            f.name for f in dataclasses.fields(node) if not any(n in f.name for n in _NOT_CODE))
    for name in names:
        value = getattr(node, name)
        if isinstance(value, list | tuple):
            yield from value
        elif isinstance(value, cst.CSTNode):
            yield value


def _is_special_block(test: cst.BaseExpression) -> bool:
    """``TYPE_CHECKING`` / ``typing.TYPE_CHECKING`` or ``__name__ == "__main__"``."""
    if isinstance(test, cst.Name | cst.Attribute):
        return (test.value if isinstance(test, cst.Name) else test.attr.value) == "TYPE_CHECKING"
    if not isinstance(test, cst.Comparison):
        return False
    operands = [test.left, *(target.comparator for target in test.comparisons)]
    return ("__name__" in {o.value for o in operands if isinstance(o, cst.Name)} and "__main__"
            in {o.evaluated_value for o in operands if isinstance(o, cst.SimpleString)})


class _Collector:
    """Walks function bodies, offering each node to the operators registered for its type
    (a plain walk: libcst's visitors rebuild every node and are three times slower)."""

    def __init__(self, source: str, positions: Mapping[cst.CSTNode, CodeRange],
                 operators: Mapping[str, _Op]) -> None:
        self.source, self.positions = source, positions
        self.line_starts = [0, *(m.end() for m in _NEWLINE.finditer(source))]
        self.dispatch: dict[type[cst.CSTNode], list[tuple[str, _OpFn]]] = {}
        for name, op in operators.items():
            for node_type in op.node_types:
                self.dispatch.setdefault(node_type, []).append((name, op.fn))
        self.stack: list[cst.CSTNode] = []
        self.symbols: list[str] = []
        self.function_depth = 0
        self.nonlocal_in_scope = False
        self.found: list[tuple[str, str, _Edit]] = []  # (operator, symbol, edit)

    def offset(self, line: int, column: int = 0) -> int:
        starts = self.line_starts
        return starts[line - 1] + column if line <= len(starts) else len(self.source)

    def line(self, offset: int) -> int:
        return bisect.bisect_right(self.line_starts, offset)

    def span(self, node: cst.CSTNode, outer: bool = False) -> tuple[int, int]:
        """Character offsets of ``node``; with ``outer``, including its own parentheses."""
        first, last = node, node
        if outer and isinstance(node, cst.BaseExpression) and node.lpar:
            first, last = node.lpar[0], node.rpar[-1]
        start, end = self.positions[first].start, self.positions[last].end
        return self.offset(start.line, start.column), self.offset(end.line, end.column)

    def text(self, node: cst.CSTNode) -> str:
        start, end = self.span(node, outer=True)
        return self.source[start:end]

    def replace(self, start: int, end: int, text: str, description: str) -> _Edit | None:
        """An edit of source[start:end], spaced so that no two words fuse."""
        src = self.source
        if start > 0 and _word(src[start - 1]) and _word(text[:1] or src[end:end + 1]):
            text = " " + text
        if end < len(src) and _word(src[end]) and _word(text[-1:] or src[start - 1:start]):
            text += " "
        return None if src[start:end] == text else _Edit(start, end, text, description)

    def replace_node(self, node: cst.CSTNode, text: str, description: str) -> _Edit | None:
        return self.replace(*self.span(node), text, description)

    def delete_lines(self, node: cst.CSTNode, description: str) -> _Edit | None:
        """Delete the whole lines of a statement (in a block it starts and ends its lines)."""
        position = self.positions[node]
        return self.replace(self.offset(position.start.line), self.offset(position.end.line + 1),
                            "", description)

    def walk(self, node: cst.CSTNode) -> None:
        node_type = type(node)
        if node_type in _SKIPPED_NODES or (
                node_type is cst.If and isinstance(node, cst.If) and _is_special_block(node.test)):
            return
        if isinstance(node, cst.FunctionDef | cst.ClassDef):
            self.scope(node)
            return
        self.stack.append(node)
        if self.function_depth:
            symbol = ".".join(self.symbols)
            for name, fn in self.dispatch.get(node_type, ()):
                self.found.extend((name, symbol, edit) for edit in fn(self, node) if edit)
        for child in _children(node):
            self.walk(child)
        self.stack.pop()

    def scope(self, node: cst.FunctionDef | cst.ClassDef) -> None:
        """Walk the body only: not decorators, parameters, bases or annotations."""
        is_function = isinstance(node, cst.FunctionDef)
        if is_function and node.name.value in _SKIPPED_FUNCTIONS:
            return
        if is_function and not self.function_depth:
            start, end = self.span(node)
            self.nonlocal_in_scope = "nonlocal" in self.source[start:end]
        self.symbols.append(node.name.value)
        self.function_depth += is_function
        self.walk(node.body)
        self.function_depth -= is_function
        self.symbols.pop()


_OpFn = Callable[[_Collector, Any], Iterator[_Edit | None]]


class _Op(NamedTuple):
    node_types: tuple[type[cst.CSTNode], ...]
    fn: _OpFn


def _pairs(*tokens: tuple[type[cst.CSTNode], str]) -> dict[type[cst.CSTNode], tuple[str, str]]:
    """Symmetric swap table from (type, token) pairs listed as partners, two by two."""
    table: dict[type[cst.CSTNode], tuple[str, str]] = {}
    for (type_a, token_a), (type_b, token_b) in zip(tokens[::2], tokens[1::2], strict=True):
        table[type_a], table[type_b] = (token_a, token_b), (token_b, token_a)
    return table


_COMPARISONS = _pairs((cst.LessThan, "<"), (cst.GreaterThanEqual, ">="),
                      (cst.LessThanEqual, "<="), (cst.GreaterThan, ">"), (cst.Equal, "=="),
                      (cst.NotEqual, "!="), (cst.Is, "is"), (cst.IsNot, "is not"),
                      (cst.In, "in"), (cst.NotIn, "not in"))
_BOOLEANS = _pairs((cst.And, "and"), (cst.Or, "or"))
_ARITHMETIC = _pairs((cst.Add, "+"), (cst.Subtract, "-"), (cst.Multiply, "*"), (cst.Divide, "/"),
                     (cst.FloorDivide, "//"), (cst.Modulo, "%"),
                     (cst.LeftShift, "<<"), (cst.RightShift, ">>"))
_AUGMENTED = _pairs((cst.AddAssign, "+="), (cst.SubtractAssign, "-="),
                    (cst.MultiplyAssign, "*="), (cst.DivideAssign, "/="))


def _token_swap(table: Mapping[type[cst.CSTNode], tuple[str, str]],
                operands: Callable[[Any], Sequence[cst.BaseExpression]] = lambda node: ()
                ) -> _OpFn:
    """Replace ``node.operator`` by its partner in ``table``, unless an operand is a literal."""
    def swap(ctx: _Collector, node: Any) -> Iterator[_Edit | None]:
        pair = table.get(type(node.operator))
        if pair and not any(isinstance(operand, _LITERALS) for operand in operands(node)):
            yield ctx.replace_node(node.operator, pair[1], f"`{pair[0]}` became `{pair[1]}`")
    return swap


def _small_int(node: cst.Integer) -> int | None:
    value = node.evaluated_value
    return value if isinstance(value, int) and abs(value) <= _MAX_INT else None


def _int_text(literal: str, value: int) -> str:
    """``value`` written in the base of ``literal`` (hex stays hex)."""
    base = {"0x": "x", "0o": "o", "0b": "b"}.get(literal[:2].lower())
    if base is None:
        return str(value)
    return ("-" if value < 0 else "") + literal[:2] + format(abs(value), base)


def _in_index_context(stack: Sequence[cst.CSTNode]) -> bool:
    """Is the literal on top of ``stack`` (maybe inside +, -, unary minus) an index, slice bound,
    comparison operand or ``range`` argument?"""
    depth = len(stack) - 2
    while depth > 0 and isinstance(stack[depth], cst.UnaryOperation | cst.BinaryOperation):
        depth -= 1
    parent, grandparent = stack[depth], stack[depth - 1] if depth else None
    if isinstance(parent, cst.Index | cst.Slice | cst.Comparison | cst.ComparisonTarget):
        return True
    return (isinstance(parent, cst.Arg) and isinstance(grandparent, cst.Call)
            and isinstance(grandparent.func, cst.Name) and grandparent.func.value == "range")


def _off_by_one(ctx: _Collector, node: cst.Integer) -> Iterator[_Edit | None]:
    value = _small_int(node)
    if value is not None and _in_index_context(ctx.stack):
        negated = isinstance(ctx.stack[-2], cst.UnaryOperation) and isinstance(
            ctx.stack[-2].operator, cst.Minus)
        for new_value in (value + 1, value - 1):
            if new_value == 0 and negated:
                continue  # `x[-1]` -> `x[-0]`: no one writes that
            new = _int_text(node.value, new_value)
            yield ctx.replace_node(node, new, f"`{node.value}` became `{new}`")


def _change_constant(ctx: _Collector, node: cst.Name | cst.Integer) -> Iterator[_Edit | None]:
    if isinstance(node, cst.Name):
        new = {"True": "False", "False": "True"}.get(node.value)
    else:  # ints in an index context are off_by_one's
        value = _small_int(node)
        new = None if value is None or _in_index_context(ctx.stack) else _int_text(
            node.value, value + 1)
    if new:
        yield ctx.replace_node(node, new, f"`{node.value}` became `{new}`")


def _droppable(statement: cst.BaseSmallStatement, last: bool) -> bool:
    if isinstance(statement, cst.Import | cst.ImportFrom | cst.Pass | cst.Global | cst.Nonlocal):
        return False
    if isinstance(statement, cst.Expr):
        return not isinstance(statement.value, cst.BaseString | cst.Ellipsis | cst.Yield)
    if isinstance(statement, cst.AnnAssign):
        return statement.value is not None
    return not (last and isinstance(statement, cst.Return))


def _drop_statement(ctx: _Collector, block: cst.IndentedBlock) -> Iterator[_Edit | None]:
    if len(block.body) < 2 or ctx.nonlocal_in_scope:
        return
    for index, line in enumerate(block.body):
        if (isinstance(line, cst.SimpleStatementLine) and len(line.body) == 1
                and _droppable(line.body[0], last=index == len(block.body) - 1)):
            yield ctx.delete_lines(line, f"dropped `{_short(ctx.text(line))}`")


def _guard_remover(kind: type[cst.Return] | type[cst.Raise]) -> _OpFn:
    """Delete ``if <test>: <kind> ...`` guards (no else) that are not last in their block."""
    def remove(ctx: _Collector, block: cst.IndentedBlock) -> Iterator[_Edit | None]:
        for statement in () if ctx.nonlocal_in_scope else block.body[:-1]:
            if not isinstance(statement, cst.If) or statement.orelse is not None:
                continue
            body: Sequence[cst.CSTNode] = statement.body.body
            if isinstance(statement.body, cst.IndentedBlock):  # one line of one statement
                body = body[0].body if len(body) == 1 and isinstance(
                    body[0], cst.SimpleStatementLine) else ()
            if len(body) == 1 and isinstance(body[0], kind):
                yield ctx.delete_lines(statement,
                                       f"removed guard `if {_short(ctx.text(statement.test))}`")
    return remove


def _invert_condition(ctx: _Collector, node: cst.If | cst.While | cst.IfExp | cst.CompIf,
                      ) -> Iterator[_Edit | None]:
    test = node.test
    constant = isinstance(test, cst.Integer) or (
        isinstance(test, cst.Name) and test.value in ("True", "False", "None"))
    # `not x` and comparisons are left to remove_negation and flip_comparison: negating
    # them reads as a double negation (`not a != b`) no one writes.
    if constant or isinstance(test, cst.Comparison) or (
            isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not)):
        return
    start, end = ctx.span(test, outer=True)
    text = ctx.source[start:end]
    wrapped = f"({text})" if isinstance(test, _LOOSE) and not test.lpar else text
    yield ctx.replace(start, end, "not " + wrapped, f"condition `{_short(text)}` negated")


def _swap_arguments(ctx: _Collector, call: cst.Call) -> Iterator[_Edit | None]:
    if isinstance(call.func, cst.Name) and call.func.value in _BUILTIN_NAMES:
        return  # `isinstance(int, x)`, `getattr("name", obj)`: a TypeError, not a bug
    for first, second in zip(call.args, call.args[1:], strict=False):
        if first.keyword or second.keyword or first.star or second.star:
            continue
        (start, end_a), (start_b, end) = ctx.span(first.value, True), ctx.span(second.value, True)
        a, b = ctx.source[start:end_a], ctx.source[start_b:end]
        if a != b:
            yield ctx.replace(start, end, b + ctx.source[end_a:start_b] + a,
                              f"arguments `{_short(a)}` and `{_short(b)}` swapped")


def _remove_negation(ctx: _Collector, node: cst.UnaryOperation) -> Iterator[_Edit | None]:
    if isinstance(node.operator, cst.Not):
        start, end = ctx.span(node.operator)
        while end < len(ctx.source) and ctx.source[end] in " \t":
            end += 1
        yield ctx.replace(start, end, "", f"`{_short(ctx.text(node))}` lost its `not`")


def _swap_words(a: str, b: str, target: Callable[[Any], cst.CSTNode] = lambda node: node,
                ) -> _OpFn:
    """Replace the ``target`` node of a node by the other word if its text is ``a`` or ``b``."""
    def swap(ctx: _Collector, node: Any) -> Iterator[_Edit | None]:
        old = ctx.text(target(node))
        if old in (a, b):
            new = b if old == a else a
            yield ctx.replace_node(target(node), new, f"`{old}` became `{new}`")
    return swap


OPERATORS: dict[str, _Op] = {
    "flip_comparison": _Op((cst.ComparisonTarget,), _token_swap(_COMPARISONS)),
    "off_by_one": _Op((cst.Integer,), _off_by_one),
    "change_constant": _Op((cst.Name, cst.Integer), _change_constant),
    "drop_statement": _Op((cst.IndentedBlock,), _drop_statement),
    "invert_condition": _Op((cst.If, cst.While, cst.IfExp, cst.CompIf), _invert_condition),
    "swap_arguments": _Op((cst.Call,), _swap_arguments),
    "remove_early_return": _Op((cst.IndentedBlock,), _guard_remover(cst.Return)),
    "remove_raise_guard": _Op((cst.IndentedBlock,), _guard_remover(cst.Raise)),
    "swap_boolean_operator": _Op((cst.BooleanOperation,), _token_swap(_BOOLEANS)),
    "swap_arithmetic": _Op((cst.BinaryOperation,),
                           _token_swap(_ARITHMETIC, lambda node: (node.left, node.right))),
    "swap_augmented_assignment": _Op((cst.AugAssign,),
                                     _token_swap(_AUGMENTED, lambda node: (node.value,))),
    "remove_negation": _Op((cst.UnaryOperation,), _remove_negation),
    "swap_loop_control": _Op((cst.Break, cst.Continue), _swap_words("break", "continue")),
    "swap_min_max": _Op((cst.Call,), _swap_words("min", "max", lambda node: node.func)),
}


# How often each operator's bugs are drawn, relative to the others: slips that people make
# and review misses (a flipped or off-by-one bound, a lost guard or statement, the wrong
# boolean or arithmetic operator) over rarer ones.
OPERATOR_WEIGHTS: dict[str, float] = {
    "flip_comparison": 3, "off_by_one": 3, "remove_raise_guard": 2, "remove_early_return": 2,
    "drop_statement": 2, "swap_boolean_operator": 2, "swap_arithmetic": 2, "swap_min_max": 2,
    "invert_condition": 1, "change_constant": 1, "swap_arguments": 1, "remove_negation": 1,
    "swap_augmented_assignment": 1, "swap_loop_control": 1,
}


def weighted_order(mutations: Sequence[Mutation], rng: random.Random) -> list[Mutation]:
    """``mutations`` in a random order in which each next one's operator is drawn with
    ``OPERATOR_WEIGHTS`` (among the operators with candidates left), then the candidate
    within it: the mix follows the weights, not how many candidates each operator has.
    Near-duplicates are left out: the same edit (operator and description) is kept once
    per file, the first one drawn."""
    queues: dict[str, list[Mutation]] = {}
    for mutation in mutations:
        queues.setdefault(mutation.operator, []).append(mutation)
    for name in sorted(queues):
        rng.shuffle(queues[name])
    seen: set[tuple[str, str, str]] = set()
    ordered = []
    while queues:
        names = sorted(queues)
        name = rng.choices(names, weights=[OPERATOR_WEIGHTS[n] for n in names])[0]
        mutation = queues[name].pop()
        if not queues[name]:
            del queues[name]
        near = (mutation.path, mutation.operator, mutation.description)
        if near not in seen:
            seen.add(near)
            ordered.append(mutation)
    return ordered


def candidate_mutations(path: str, source: str,
                        operators: Sequence[str] | None = None) -> list[Mutation]:
    """Every single-site mutation of ``source`` by ``operators`` (default: all), sorted by line,
    column and operator name, without duplicates. Raises ``libcst.ParserSyntaxError`` if
    ``source`` does not parse and ``ValueError`` for an unknown operator name."""
    names = list(OPERATORS) if operators is None else list(operators)
    unknown = sorted(set(names) - set(OPERATORS))
    if unknown:
        raise ValueError(f"unknown mutation operators: {', '.join(unknown)}")
    module = cst.parse_module(source)
    positions = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    collector = _Collector(source, positions, {name: OPERATORS[name] for name in names})
    collector.walk(module)
    seen: set[str] = set()  # distinct edits can coincide, e.g. dropping one of two equal lines
    mutations = []
    for name, symbol, edit in sorted(collector.found, key=lambda f: (f[2].start, f[0])):
        mutated = source[:edit.start] + edit.text + source[edit.end:]
        if mutated not in seen:
            seen.add(mutated)
            mutations.append(Mutation(name, path, symbol, collector.line(edit.start),
                                      edit.description, source, mutated))
    return mutations


def unified_diff(path: str, before: str, after: str) -> str:
    """A git-style patch turning ``before`` into ``after`` at ``path`` ("" when they are equal),
    accepted by ``git apply``; unterminated last lines get ``\\ No newline at end of file``."""
    if before == after:
        return ""
    before_lines, after_lines = ([line for line in re.split(r"(?<=\n)", text) if line]
                                 for text in (before, after))  # git splits at "\n" only
    lines = [f"diff --git a/{path} b/{path}\n"]
    for line in difflib.unified_diff(before_lines, after_lines, f"a/{path}", f"b/{path}", n=3):
        lines.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(lines)


def combine(mutations: Sequence[Mutation]) -> list[tuple[str, str, str]]:
    """``(path, original, mutated)`` per file for a multi-file bug, sorted by path; two
    mutations of one file are refused (each was computed against the unmutated file)."""
    paths = [mutation.path for mutation in mutations]
    if len(set(paths)) < len(paths):
        twice = sorted({path for path in paths if paths.count(path) > 1})
        raise ValueError(f"several mutations of {', '.join(twice)}: combine one per file")
    return sorted((mutation.path, mutation.original, mutation.mutated) for mutation in mutations)
