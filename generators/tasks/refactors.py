"""Multi-site bugs for planning cases: changes that span a function and the code around it.

Each candidate is a tuple of ``Mutation`` (one per file it edits, ``original`` the whole
clean file and ``mutated`` the whole edited one), so it is screened, hidden and described
like the single-site bugs of ``generators.tasks.mutations``:

- ``dropped_parameter``: a module-level function loses a parameter that has a default
  (the body binds the default to the name as its first statement, as if the option had
  been hard-coded) and every call in the code that passed it stops passing it. The fix
  puts the parameter back in the signature and at each caller: the def and its callers
  change together.
- ``removed_feature``: a public module-level function with a docstring, exported (named
  in its module's ``__all__``, or imported by name by another module of the package), and
  used nowhere else in the code, is deleted with its exports. The fix restores the
  function from its tests and documentation, and its registration where it was exported.

Candidates are found with ``ast`` and spliced into the text at the nodes' offsets, so the
rest of each file is untouched; a candidate whose edited files do not compile, or that
pyflakes flags (``generators.tasks.difficulty``), is not offered. Everything is ordered
by path, line and name: callers draw with a seeded ``Random``.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass

from generators.tasks.difficulty import lint_detectable
from generators.tasks.module_names import module_name
from generators.tasks.mutations import Mutation

__all__ = ["MultiSite", "docstring_of", "dropped_parameters", "removed_features"]

_SIMPLE_DEFAULTS = (ast.Constant, ast.Name, ast.Attribute)
_MAX_DOCSTRING = 1200


@dataclass(frozen=True)
class MultiSite:
    """One multi-site candidate: its kind, the function it is about, its per-file edits."""

    kind: str
    path: str
    symbol: str
    mutations: tuple[Mutation, ...]
    docstring: str = ""


@dataclass(frozen=True)
class _Span:
    start: int
    end: int
    text: str = ""


def _offsets(source: str) -> list[int]:
    """Character offset of the start of each line (1-based line -> index line - 1)."""
    starts = [0]
    for index, char in enumerate(source):
        if char == "\n":
            starts.append(index + 1)
    return starts


class _Text:
    """A file's source with ast positions (UTF-8 byte columns) turned into offsets."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.lines = _offsets(source)

    def at(self, line: int, byte_column: int) -> int:
        start = self.lines[line - 1]
        end = self.lines[line] if line < len(self.lines) else len(self.source)
        prefix = self.source[start:end].encode("utf-8")[:byte_column]
        return start + len(prefix.decode("utf-8", errors="ignore"))

    def start(self, node: ast.AST) -> int:
        return self.at(node.lineno, node.col_offset)  # type: ignore[attr-defined]

    def end(self, node: ast.AST) -> int:
        return self.at(node.end_lineno, node.end_col_offset)  # type: ignore[attr-defined]

    def segment(self, node: ast.AST) -> str:
        return self.source[self.start(node):self.end(node)]

    def without_item(self, start: int, end: int) -> _Span:
        """The span of a list item (an argument, a parameter, an import name) with the comma
        that separates it from its neighbour; its whole line when it stands alone on one."""
        after = end
        while after < len(self.source) and self.source[after] in " \t":
            after += 1
        if after < len(self.source) and self.source[after] == ",":
            after += 1
            while after < len(self.source) and self.source[after] in " \t":
                after += 1
            line_start = self.source.rfind("\n", 0, start) + 1
            if (not self.source[line_start:start].strip()
                    and self.source[after:after + 1] in ("\n", "")):
                return _Span(line_start, min(after + 1, len(self.source)))
            return _Span(start, after)
        before = start
        while before > 0 and self.source[before - 1] in " \t\n":
            before -= 1
        if before > 0 and self.source[before - 1] == ",":
            return _Span(before - 1, end)
        return _Span(start, end)

    def whole_lines(self, first_line: int, last_line: int) -> _Span:
        """Lines ``first_line``..``last_line`` with the blank lines just before them."""
        first = first_line
        while first > 1 and not self.source[self.lines[first - 2]:self.lines[first - 1]].strip():
            first -= 1
        end = self.lines[last_line] if last_line < len(self.lines) else len(self.source)
        return _Span(self.lines[first - 1], end)

    def body_start(self, function: ast.FunctionDef) -> tuple[int, str]:
        """Where a new first statement of ``function``'s body goes (after its docstring),
        and the indentation it takes; (-1, "") for a body on the ``def`` line."""
        body = function.body
        first = body[1] if ast.get_docstring(function) is not None and len(body) > 1 else body[0]
        if first.lineno == function.lineno:
            return -1, ""
        line_start = self.lines[first.lineno - 1]
        indent = self.source[line_start:self.start(first)]
        return (line_start, indent) if not indent.strip() else (-1, "")


def _apply(source: str, spans: Sequence[_Span]) -> str | None:
    """``source`` with ``spans`` replaced; None when two spans overlap."""
    ordered = sorted(spans, key=lambda span: (span.start, span.end))
    for first, second in itertools.pairwise(ordered):
        if second.start < first.end:
            return None
    text = source
    for span in reversed(ordered):
        text = text[:span.start] + span.text + text[span.end:]
    return text


def _compiles(source: str, path: str) -> bool:
    try:
        compile(source, path, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError):
        return False
    return True


def _parsed(sources: Mapping[str, str]) -> dict[str, ast.Module]:
    trees = {}
    for path in sorted(sources):
        try:
            trees[path] = ast.parse(sources[path], path)
        except (SyntaxError, ValueError):
            continue
    return trees


def _module_functions(tree: ast.Module) -> list[ast.FunctionDef]:
    return [node for node in tree.body if isinstance(node, ast.FunctionDef)]


def _unique_functions(trees: Mapping[str, ast.Module],
                      ) -> list[tuple[str, str, ast.FunctionDef]]:
    """(name, path, def) of the module-level functions whose name no other function or
    class of the code defines, by path and line."""
    seen: dict[str, list[tuple[str, ast.FunctionDef]]] = {}
    defined: dict[str, int] = {}
    for path, tree in trees.items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                defined[node.name] = defined.get(node.name, 0) + 1
        for function in _module_functions(tree):
            seen.setdefault(function.name, []).append((path, function))
    unique = [(name, *found[0]) for name, found in seen.items()
              if len(found) == 1 and defined.get(name) == 1]
    return sorted(unique, key=lambda item: (item[1], item[2].lineno))


def _build(kind: str, path: str, symbol: str, sources: Mapping[str, str],
           edits: Mapping[str, Sequence[_Span]], docstring: str = "") -> MultiSite | None:
    mutations = []
    for edited in sorted(edits):
        mutated = _apply(sources[edited], edits[edited])
        if mutated is None or mutated == sources[edited] or not _compiles(mutated, edited):
            return None
        line = sources[edited][:min(span.start for span in edits[edited])].count("\n") + 1
        mutation = Mutation(kind, edited, symbol, line, f"{kind} {symbol}", sources[edited],
                            mutated)
        if lint_detectable(mutation):
            return None
        mutations.append(mutation)
    return MultiSite(kind, path, symbol, tuple(mutations), docstring)


# -- dropped_parameter ---------------------------------------------------------------------

def _callee_name(call: ast.Call) -> str:
    return call.func.id if isinstance(call.func, ast.Name) else ""


def _sees(tree: ast.Module, name: str) -> bool:
    """Whether a module imports ``name`` by itself (``from m import name``)."""
    return any(isinstance(node, ast.ImportFrom) and any(
        alias.name == name and alias.asname in (None, name) for alias in node.names)
        for node in ast.walk(tree))


def _rebinds(function: ast.FunctionDef, name: str) -> bool:
    """Whether ``name`` is assigned, or a parameter of a nested scope, inside ``function``."""
    for node in ast.walk(function):
        if isinstance(node, ast.Name) and node.id == name and not isinstance(node.ctx, ast.Load):
            return True
        nested = node is not function and isinstance(
            node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda)
        if nested and name in {a.arg for a in (*node.args.posonlyargs,  # type: ignore[attr-defined]
                                               *node.args.args,  # type: ignore[attr-defined]
                                               *node.args.kwonlyargs)}:  # type: ignore[attr-defined]
            return True
        if isinstance(node, ast.Global | ast.Nonlocal) and name in node.names:
            return True
    return False


def _droppable(function: ast.FunctionDef) -> Iterator[tuple[ast.arg, ast.expr, int | None]]:
    """Parameters with a simple default: (parameter, default, positional index or None)."""
    arguments = function.args
    every = [*arguments.posonlyargs, *arguments.args]  # the defaults are of the last ones
    defaults = dict(zip(every[len(every) - len(arguments.defaults):], arguments.defaults,
                        strict=True))
    offset = len(arguments.posonlyargs)
    for index, parameter in enumerate(arguments.args):  # positional-only ones stay
        default = defaults.get(parameter)
        if default is not None and isinstance(default, _SIMPLE_DEFAULTS):
            yield parameter, default, offset + index
    if len(arguments.kwonlyargs) > 1 or arguments.vararg is not None:
        for parameter, default in zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True):
            if default is not None and isinstance(default, _SIMPLE_DEFAULTS):
                yield parameter, default, None


def _passing_calls(trees: Mapping[str, ast.Module], home: str, name: str, parameter: str,
                   index: int | None) -> list[tuple[str, ast.Call, ast.expr]] | None:
    """Every call of ``name`` (in its own module, or one importing it by name) with the
    argument it passes for ``parameter``; None when some call cannot be read
    (``*args``/``**kwargs``) or the function is also reached as an attribute."""
    found: list[tuple[str, ast.Call, ast.expr]] = []
    for tree in trees.values():  # reached as ``module.name``: callers it cannot follow
        if any(isinstance(node, ast.Attribute) and node.attr == name
               for node in ast.walk(tree)):
            return None
    for path, tree in trees.items():
        if path != home and not _sees(tree, name):
            continue
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or _callee_name(node) != name:
                continue
            if any(isinstance(a, ast.Starred) for a in node.args) or any(
                    k.arg is None for k in node.keywords):
                return None
            keyword = next((k for k in node.keywords if k.arg == parameter), None)
            if keyword is not None:
                found.append((path, node, keyword.value))
            elif index is not None and len(node.args) > index:
                found.append((path, node, node.args[index]))
    return found


def dropped_parameters(sources: Mapping[str, str]) -> list[MultiSite]:
    """Every ``dropped_parameter`` candidate of the code files ``sources`` (path -> text)."""
    trees = _parsed(sources)
    texts = {path: _Text(sources[path]) for path in trees}
    candidates = []
    for name, path, function in _unique_functions(trees):
        if name.startswith("__"):
            continue
        text = texts[path]
        for parameter, default, index in _droppable(function):
            if _rebinds(function, parameter.arg):
                continue
            calls = _passing_calls(trees, path, name, parameter.arg, index)
            if not calls:
                continue
            edits: dict[str, list[_Span]] = {}
            start = text.start(parameter)
            edits.setdefault(path, []).append(text.without_item(start, text.end(default)))
            if any(isinstance(node, ast.Name) and node.id == parameter.arg
                   for node in ast.walk(function)):
                where, indent = text.body_start(function)
                if where < 0:
                    continue
                edits[path].append(_Span(where, where,
                                         f"{indent}{parameter.arg} = {text.segment(default)}\n"))
            for call_path, _call, argument in calls:
                call_text = texts[call_path]
                argument_start = call_text.start(argument)
                keyword = next((k for k in _call.keywords if k.value is argument), None)
                if keyword is not None:
                    argument_start = call_text.start(keyword)
                edits.setdefault(call_path, []).append(
                    call_text.without_item(argument_start, call_text.end(argument)))
            built = _build("dropped_parameter", path, f"{name}({parameter.arg})", sources,
                           edits)
            if built is not None:
                candidates.append(built)
    return candidates


# -- removed_feature -----------------------------------------------------------------------

def docstring_of(function: ast.FunctionDef) -> str:
    """The function's docstring, cleaned and bounded ("" when it has none)."""
    text = ast.get_docstring(function) or ""
    return text if len(text) <= _MAX_DOCSTRING else text[:_MAX_DOCSTRING - 3] + "..."


def _references(tree: ast.Module, name: str,
                ) -> tuple[list[ast.AST], list[tuple[ast.AST, ast.AST]], bool]:
    """(import aliases of ``name``, ``__all__`` strings naming it, whether anything else
    names it)."""
    aliases: list[ast.AST] = []
    exported: list[tuple[ast.AST, ast.AST]] = []  # (the string, its __all__ container)
    other = False
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            for alias in node.names:
                if alias.name == name:
                    if alias.asname not in (None, name):
                        other = True
                    aliases.append(node)
        elif (isinstance(node, ast.Name) and node.id == name) or (
                isinstance(node, ast.Attribute) and node.attr == name):
            other = True
    for node in tree.body:
        if isinstance(node, ast.Assign | ast.AugAssign) and any(
                isinstance(t, ast.Name) and t.id == "__all__"
                for t in (node.targets if isinstance(node, ast.Assign) else [node.target])):
            value = node.value
            if isinstance(value, ast.List | ast.Tuple):
                exported += [(e, value) for e in value.elts
                             if isinstance(e, ast.Constant) and e.value == name]
    return aliases, exported, other


def _alias_span(text: _Text, node: ast.ImportFrom, name: str) -> _Span:
    """Removing ``name`` from an import: the whole statement when it is the only name."""
    if len(node.names) == 1:
        return text.whole_lines(node.lineno, node.end_lineno or node.lineno)
    alias = next(a for a in node.names if a.name == name)
    return text.without_item(text.start(alias), text.end(alias))


def removed_features(sources: Mapping[str, str]) -> list[MultiSite]:
    """Every ``removed_feature`` candidate of the code files ``sources`` (path -> text)."""
    trees = _parsed(sources)
    texts = {path: _Text(sources[path]) for path in trees}
    candidates = []
    for name, path, function in _unique_functions(trees):
        docstring = docstring_of(function)
        if name.startswith("_") or not docstring:
            continue
        edits: dict[str, list[_Span]] = {}
        first = min([function.lineno, *(d.lineno for d in function.decorator_list)])
        edits[path] = [texts[path].whole_lines(first, function.end_lineno or function.lineno)]
        reexported = False
        usable = True
        for other_path, tree in trees.items():
            aliases, exported, named = _references(tree, name)
            if other_path == path:
                own = [node for node in ast.walk(tree) if isinstance(node, ast.Name)
                       and node.id == name]
                usable = usable and not own and not aliases
                reexported = reexported or bool(exported)
            elif named:
                usable = False
            elif aliases or exported:
                reexported = True
            text = texts[other_path]
            for node in aliases:
                assert isinstance(node, ast.ImportFrom)
                edits.setdefault(other_path, []).append(_alias_span(text, node, name))
            for node, container in exported:
                span = text.without_item(text.start(node), text.end(node))
                if isinstance(container, ast.Tuple) and len(container.elts) == 2:
                    # ('f', 'g') -> ('g',): without its comma the one left is a string
                    left = next(e for e in container.elts if e is not node)
                    span = _Span(text.start(container), text.end(container),
                                 f"({text.segment(left)},)")
                edits.setdefault(other_path, []).append(span)
        if not usable or not reexported:
            continue
        symbol = f"{module_name(path)}.{name}"
        built = _build("removed_feature", path, symbol, sources, edits, docstring)
        if built is not None:
            candidates.append(built)
    return candidates

