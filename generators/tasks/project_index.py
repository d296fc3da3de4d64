"""Index a Python project with ``ast``: modules, functions, docstrings and a certain call graph.

A call is *resolved* only when its target is certain from the source alone:

* ``f()`` where LEGB lookup finds ``f`` bound exactly once, by a module-level ``def`` of the
  same module or by an import (``import a.b as m``, ``from a.b import f``, ``from .b import f``,
  also inside the function) that leads, through re-exports each bound exactly once, to a
  module-level ``def`` of the project;
* ``m.f()`` / ``a.b.f()`` where ``m`` / ``a.b`` is such an import of a project module;
* ``self.m()`` / ``cls.m()``: the first parameter of a method (not a staticmethod, never
  reassigned) where ``m`` is bound exactly once in that class's body, by a ``def``. No
  inheritance is followed: an ``m`` defined only on a base class stays unresolved.

Never a resolution target: names ever assigned or deleted as an attribute anywhere
(``obj.f = ...``, ``setattr(obj, "f", ...)``), property-like and ``@overload`` defs, names
bound more than once in their scope (conditional defs, try/except imports, rebinding,
``global``), names under a star import, nested (``<locals>``) functions. Other decorators are
taken as transparent. Calls in decorators and default values belong to the enclosing scope.
Every other call is *unresolved* under its simple name (``f`` for ``f()``, ``m`` for
``x.m()``), and also *opaque* when it has no name (``handlers[k]()``) or calls a variable.
Calls to builtins and to modules outside the project are *external*: certainly not project code.
"""

from __future__ import annotations

import ast
import builtins
import fnmatch
import os
import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from harness.grading.answer import Location

EXCLUDED_DIRS = frozenset({"tests", "test", "docs", "doc", "examples", "build", "dist",
                           "site-packages", "node_modules", "__pycache__", "venv"})
EXCLUDED_FILES = frozenset({"conftest.py", "setup.py"})
_PROPERTY_LIKE = frozenset({"property", "cached_property", "abstractproperty",
                            "setter", "getter", "deleter"})
_BUILTINS = frozenset(dir(builtins))
_WORD = re.compile(r"[A-Za-z_]\w*")
_PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +\d.]*[a-zA-Z%]|\{[^{}]*\}")
_FUNCTION = (ast.FunctionDef, ast.AsyncFunctionDef)
_MAX_DEPTH = 20


@dataclass(frozen=True)
class Binding:
    """One binding of a name in a scope: def, class, module, from, param or other."""

    kind: str
    target: str = ""  # module: the dotted module; from: the absolute module ("" if unknowable)
    attr: str = ""  # from: the imported name


_DEF = Binding("def")


@dataclass(frozen=True)
class Target:
    """What an expression refers to: function, class, module, external, variable or unknown."""

    kind: str
    location: Location | None = None
    module: str = ""


@dataclass
class CallFacts:
    """What the code of one scope calls and references."""

    callees: set[Location] = field(default_factory=set)
    instantiates: set[Location] = field(default_factory=set)  # project classes called
    unresolved: set[str] = field(default_factory=set)  # simple names of unresolved calls
    opaque: int = 0  # calls with no name, or of a variable
    refs: set[Location] = field(default_factory=set)  # project functions used, not called
    unresolved_refs: set[str] = field(default_factory=set)  # attribute names loaded, not called


@dataclass
class FunctionInfo:
    """One function or method; ``calls`` covers its own body (not nested defs)."""

    location: Location
    module: str
    name: str
    params: tuple[str, ...]
    docstring: str | None
    lineno: int
    class_qualname: str | None  # set for methods (defs directly in a class body)
    nested: bool  # defined inside a function
    has_nested_scopes: bool  # holds a def, class or lambda
    property_like: bool
    defined_times: int = 1
    has_overloads: bool = False
    calls: CallFacts = field(default_factory=CallFacts)


@dataclass
class ModuleInfo:
    """One parsed source file."""

    path: str
    name: str  # dotted module name, from the ``__init__.py`` chain (``src/`` is not a package)
    is_package: bool
    docstring: str | None
    bindings: dict[str, list[Binding]]
    star_import: bool
    classes: dict[str, str | None] = field(default_factory=dict)  # qualname -> docstring


@dataclass
class ProjectIndex:
    """Modules, functions and call facts of one project, plus what makes resolution unsafe."""

    root: Path
    modules: dict[str, ModuleInfo] = field(default_factory=dict)  # by path
    functions: dict[Location, FunctionInfo] = field(default_factory=dict)
    skipped: dict[str, str] = field(default_factory=dict)  # path -> why it was not parsed
    skipped_words: set[str] = field(default_factory=set)  # identifiers in skipped files
    by_name: dict[str, str] = field(default_factory=dict)  # unique dotted module -> path
    toplevel: CallFacts = field(default_factory=CallFacts)  # module and class bodies
    aliased: set[Location] = field(default_factory=set)  # imported under another name
    strings: set[str] = field(default_factory=set)  # identifier strings, not __all__/docstrings
    string_prefixes: set[str] = field(default_factory=set)  # "do_" of "do_" + s, f"do_{s}"
    string_suffixes: set[str] = field(default_factory=set)  # "_schema" of f"{s}_schema"
    stored_attrs: set[str] = field(default_factory=set)  # attribute names assigned/deleted
    callers_of: dict[Location, set[Location]] = field(default_factory=dict)

    def callers(self, location: Location) -> set[Location]:
        """Functions with a resolved call of ``location``."""
        return set(self.callers_of.get(location, ()))

    def import_path(self, location: Location) -> str | None:
        """``package.module.Qual.name``, or None when the module name is not unique."""
        module = self.modules[location.path].name
        return f"{module}.{location.qualname}" if self.by_name.get(module) == location.path \
            else None


def _dotted(expr: ast.expr) -> str:
    if isinstance(expr, ast.Call):
        return _dotted(expr.func)
    if isinstance(expr, ast.Attribute):
        return f"{_dotted(expr.value)}.{expr.attr}"
    return expr.id if isinstance(expr, ast.Name) else ""


def _decorators(node: ast.FunctionDef | ast.AsyncFunctionDef) -> set[str]:
    return {_dotted(d).rsplit(".", 1)[-1] for d in node.decorator_list}


def _scope_nodes(body: Sequence[ast.AST]) -> list[ast.AST]:
    """Nodes of one scope; nested defs and classes give themselves and their headers only."""
    nodes, stack = [], list(body)
    while stack:
        node = stack.pop()
        nodes.append(node)
        if isinstance(node, _FUNCTION):
            stack += [*node.decorator_list, *node.args.defaults,
                      *(d for d in node.args.kw_defaults if d is not None)]
        elif isinstance(node, ast.ClassDef):
            stack += [*node.decorator_list, *node.bases, *node.keywords]
        else:
            stack += ast.iter_child_nodes(node)
    return nodes


def _absolute(module: ModuleInfo, node: ast.ImportFrom) -> str:
    if not node.level:
        return node.module or ""
    parts = module.name.split(".") if module.is_package else module.name.split(".")[:-1]
    if node.level - 1 > len(parts) - 1:
        return ""
    base = parts[: len(parts) - (node.level - 1)]
    return ".".join([*base, node.module] if node.module else base)


def _bindings(nodes: Sequence[ast.AST], module: ModuleInfo,
              params: Sequence[str] = ()) -> dict[str, list[Binding]]:
    """Every binding made in one scope (comprehension and lambda names over-approximated)."""
    out: dict[str, list[Binding]] = defaultdict(list)
    for param in params:
        out[param].append(Binding("param"))
    other = Binding("other")
    for node in nodes:
        if isinstance(node, _FUNCTION):
            marks = _decorators(node)
            if "overload" not in marks:
                out[node.name].append(other if marks & _PROPERTY_LIKE else _DEF)
        elif isinstance(node, ast.ClassDef):
            out[node.name].append(Binding("class"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                dotted = alias.name if alias.asname else alias.name.split(".")[0]
                out[alias.asname or dotted].append(Binding("module", dotted))
        elif isinstance(node, ast.ImportFrom):
            for alias in node.names:
                out[alias.asname or alias.name].append(
                    Binding("from", _absolute(module, node), alias.name))
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            out[node.id].append(other)
        elif isinstance(node, (ast.Global, ast.Nonlocal)):
            for name in node.names:
                out[name].append(other)
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            out[node.name].append(other)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            out[node.rest].append(other)
        elif isinstance(node, ast.arg):
            out[node.arg].append(other)
    return out


def _single(bindings: list[Binding]) -> Binding | None:
    """The binding when there is exactly one (identical imports count once)."""
    only = bindings[0]
    unique = len(bindings) == 1 or (only.kind in ("module", "from") and len(set(bindings)) == 1)
    return only if unique else None


def _source_files(root: Path, include: Sequence[str]) -> Iterator[Path]:
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in EXCLUDED_DIRS and not d.startswith(".")
                         and not d.endswith(".egg-info"))
        for name in sorted(files):
            if not name.endswith(".py") or name in EXCLUDED_FILES \
                    or name.startswith("test_") or name.endswith("_test.py"):
                continue
            path = Path(directory, name)
            if any(fnmatch.fnmatchcase(path.relative_to(root).as_posix(), p) for p in include):
                yield path


def _module_name(path: Path) -> str:
    parts = [] if path.name == "__init__.py" else [path.stem]
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        parts.insert(0, directory.name)
        directory = directory.parent
    return ".".join(parts)


def index_project(root: Path, include: Sequence[str] = ("*.py",)) -> ProjectIndex:
    """Index the sources under ``root`` whose relative POSIX path matches an ``include``
    fnmatch pattern (``*`` also matches ``/``). Left out: ``EXCLUDED_DIRS``, hidden and
    ``*.egg-info`` directories, ``test_*.py``, ``*_test.py``, ``conftest.py``, ``setup.py``.
    A file that does not parse is recorded in ``skipped``. Module names follow the
    ``__init__.py`` chain, also above ``root`` (so a package directory indexes as itself)."""
    root = root.resolve()
    index = ProjectIndex(root)
    trees: list[tuple[ModuleInfo, list[ast.AST]]] = []
    paths_by_name: dict[str, list[str]] = defaultdict(list)
    for path in _source_files(root, include):
        rel = path.relative_to(root).as_posix()
        data = path.read_bytes()
        try:
            tree = ast.parse(data, filename=rel)
        except (SyntaxError, ValueError, RecursionError) as error:
            index.skipped[rel] = f"{type(error).__name__}: {error}"
            index.skipped_words |= set(_WORD.findall(data.decode("utf-8", "replace")))
            continue
        module = ModuleInfo(rel, _module_name(path), path.name == "__init__.py",
                            ast.get_docstring(tree), {}, False)
        nodes = _scope_nodes(tree.body)
        module.bindings = _bindings(nodes, module)
        module.star_import = "*" in module.bindings
        index.modules[rel] = module
        paths_by_name[module.name].append(rel)
        trees.append((module, nodes))
        _scan_module(index, module, tree)
    index.by_name = {name: paths[0] for name, paths in paths_by_name.items() if len(paths) == 1}
    resolver = _Resolver(index)
    for module, nodes in trees:
        resolver.scope(module, nodes, "", [], [], index.toplevel, None, False, None)
    twice = resolver.twice | {loc for loc, f in index.functions.items() if f.defined_times > 1}
    for info in index.functions.values():
        info.has_overloads = info.location in resolver.overloaded
        parts = info.location.qualname.split(".")
        if any(Location(info.location.path, ".".join(parts[:i])) in twice
               for i in range(1, len(parts))):
            info.defined_times = max(info.defined_times, 2)  # inside a class or def made twice
        for callee in info.calls.callees:
            index.callers_of.setdefault(callee, set()).add(info.location)
    return index


def _scan_module(index: ProjectIndex, module: ModuleInfo, tree: ast.Module) -> None:
    """Record attribute stores, ``global`` names, string constants and affixes of built names."""
    skip: set[int] = set()  # __all__ and docstrings; ast.walk visits parents before children
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AugAssign, ast.AnnAssign)) and "__all__" in {
                t.id for t in (node.targets if isinstance(node, ast.Assign) else [node.target])
                if isinstance(t, ast.Name)}:
            skip |= {id(n) for n in ast.walk(node)}
        elif isinstance(node, (ast.Module, ast.ClassDef, *_FUNCTION)) and node.body \
                and isinstance(node.body[0], ast.Expr):
            skip.add(id(node.body[0].value))
        if isinstance(node, ast.Attribute) and not isinstance(node.ctx, ast.Load):
            index.stored_attrs.add(node.attr)
        elif isinstance(node, ast.Call) and _dotted(node.func) in ("setattr", "delattr") \
                and len(node.args) > 1 and isinstance(node.args[1], ast.Constant):
            index.stored_attrs.add(str(node.args[1].value))
        elif isinstance(node, ast.Global):
            for name in node.names:
                module.bindings.setdefault(name, []).append(Binding("other"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) \
                and id(node) not in skip:
            if node.value.isidentifier():
                index.strings.add(node.value)
            if len(node.value) < 80:  # "do_%s", "{}_schema"
                _add_affixes(index, _PLACEHOLDER.split(node.value))
        elif isinstance(node, ast.JoinedStr):  # f"do_{x}", f"{x}_schema"
            _add_affixes(index, [v.value if isinstance(v, ast.Constant) else "" for v in
                                 node.values if not isinstance(v, ast.Constant) or v.value])
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):  # "do_" + x
            _add_affixes(index, [v.value if isinstance(v, ast.Constant) else ""
                                 for v in (node.left, node.right)])


def _add_affixes(index: ProjectIndex, pieces: Sequence[object]) -> None:
    """Literal heads and tails next to a computed part, when they could be part of a name."""
    if len(pieces) < 2:
        return
    head, tail = pieces[0], pieces[-1]
    if isinstance(head, str) and len(head) > 1 and head.isidentifier():
        index.string_prefixes.add(head)
    if isinstance(tail, str) and len(tail) > 1 and re.fullmatch(r"\w+", tail):
        index.string_suffixes.add(tail)


class _Resolver:
    """Second pass: walk every scope, resolve its calls with the rules in the module docstring."""

    def __init__(self, index: ProjectIndex) -> None:
        self.index = index
        self.tops = {m.name.split(".")[0] for m in index.modules.values()}
        self.classes: dict[tuple[str, str], dict[str, list[Binding]]] = {}
        self.overloaded: set[Location] = set()
        self.twice: set[Location] = set()  # classes defined more than once

    def module(self, dotted: str) -> Target:
        if dotted in self.index.by_name:
            return Target("module", module=dotted)
        return Target("unknown" if dotted.split(".")[0] in self.tops else "external")

    def name(self, module: ModuleInfo, name: str, depth: int = 0) -> Target:
        bindings = module.bindings.get(name)
        if not bindings:
            known = name in _BUILTINS and not module.star_import
            return Target("external" if known else "unknown")
        return self.binding(bindings, module, name, depth, at_module=True)

    def binding(self, bindings: list[Binding], module: ModuleInfo, name: str, depth: int,
                at_module: bool) -> Target:
        only = _single(bindings)
        if only is None or depth > _MAX_DEPTH or (only.kind == "from" and not only.target):
            return Target("unknown")
        if only.kind in ("module", "from"):
            found = self.module(only.target)
            return self.attribute(found, only.attr, depth + 1) if only.attr else found
        if not at_module or only.kind not in ("def", "class"):
            return Target("variable")
        location = Location(module.path, name)
        if only.kind == "class":
            return Target("class", location)
        return Target("function" if name not in self.index.stored_attrs else "unknown", location)

    def attribute(self, base: Target, attr: str, depth: int) -> Target:
        if base.kind != "module":
            return Target("external" if base.kind == "external" else "unknown")
        submodule = f"{base.module}.{attr}"
        owner = self.index.modules[self.index.by_name[base.module]]
        if attr in owner.bindings:
            if submodule in self.index.by_name:
                return Target("unknown")
            return self.name(owner, attr, depth + 1)
        return self.module(submodule) if submodule in self.index.by_name else Target("unknown")

    def target(self, expr: ast.expr, chain: list[dict[str, list[Binding]]], module: ModuleInfo,
               self_ctx: tuple[str, str] | None) -> Target:
        if isinstance(expr, ast.Name):
            for scope in chain:
                if expr.id in scope:
                    return self.binding(scope[expr.id], module, expr.id, 0, at_module=False)
            return self.name(module, expr.id)
        if not isinstance(expr, ast.Attribute):
            return Target("variable")
        if self_ctx and isinstance(expr.value, ast.Name) and expr.value.id == self_ctx[0] \
                and chain[0].get(self_ctx[0]) == [Binding("param")]:
            bindings = self.classes.get((module.path, self_ctx[1]), {}).get(expr.attr, [])
            if bindings == [_DEF] and expr.attr not in self.index.stored_attrs:
                return Target("function", Location(module.path, f"{self_ctx[1]}.{expr.attr}"))
            return Target("unknown")
        return self.attribute(self.target(expr.value, chain, module, self_ctx), expr.attr, 0)

    def analyse(self, module: ModuleInfo, nodes: Sequence[ast.AST],
                chain: list[dict[str, list[Binding]]], facts: CallFacts,
                self_ctx: tuple[str, str] | None, cls: str | None) -> None:
        called = {id(n.func) for n in nodes if isinstance(n, ast.Call)}
        for node in nodes:
            if isinstance(node, ast.Call):
                func = node.func
                found = self.target(func, chain, module, self_ctx)
                name = func.id if isinstance(func, ast.Name) else \
                    func.attr if isinstance(func, ast.Attribute) else ""
                if found.kind == "function" and found.location:
                    facts.callees.add(found.location)
                elif found.kind == "class" and found.location:
                    facts.instantiates.add(found.location)
                elif found.kind in ("unknown", "variable"):
                    if name:
                        facts.unresolved.add(name)
                    facts.opaque += found.kind == "variable" or not name
            elif isinstance(node, ast.ImportFrom):
                for alias in node.names:
                    if alias.asname and alias.asname != alias.name:
                        found = self.attribute(self.module(_absolute(module, node)), alias.name, 0)
                        if found.kind == "function" and found.location:
                            self.index.aliased.add(found.location)
            elif isinstance(node, (ast.Name, ast.Attribute)) and id(node) not in called \
                    and isinstance(node.ctx, ast.Load):
                found = self.target(node, chain, module, self_ctx)
                if found.kind == "function" and found.location:
                    facts.refs.add(found.location)
                elif cls and isinstance(node, ast.Name) and chain[0].get(node.id) == [_DEF]:
                    facts.refs.add(Location(module.path, f"{cls}.{node.id}"))  # alias = method
                elif isinstance(node, ast.Attribute) and found.kind != "external":
                    facts.unresolved_refs.add(node.attr)

    def scope(self, module: ModuleInfo, nodes: Sequence[ast.AST], prefix: str,
              chain: list[dict[str, list[Binding]]], enclosing: list[dict[str, list[Binding]]],
              facts: CallFacts, cls: str | None, nested: bool,
              self_ctx: tuple[str, str] | None) -> None:
        """Analyse one scope's own code into ``facts``, then the defs and classes it holds."""
        self.analyse(module, nodes, chain, facts, self_ctx, cls)
        for node in nodes:
            if isinstance(node, _FUNCTION):
                self.function(module, node, prefix, enclosing, cls, nested)
            elif isinstance(node, ast.ClassDef):
                qualname = prefix + node.name
                key = (module.path, qualname)
                inner = _scope_nodes(node.body)
                own = _bindings(inner, module)
                if key in self.classes:
                    self.twice.add(Location(*key))
                self.classes[key] = {} if key in self.classes else own  # twice: resolve nothing
                module.classes[qualname] = ast.get_docstring(node)
                self.scope(module, inner, qualname + ".", [own, *enclosing], enclosing,
                           facts, qualname, nested, None)

    def function(self, module: ModuleInfo, node: ast.FunctionDef | ast.AsyncFunctionDef,
                 prefix: str, enclosing: list[dict[str, list[Binding]]], cls: str | None,
                 nested: bool) -> None:
        location = Location(module.path, prefix + node.name)
        marks = _decorators(node)
        if "overload" in marks:
            self.overloaded.add(location)
            return
        args = node.args
        positional = [a.arg for a in (*args.posonlyargs, *args.args)]
        params = [*positional, *(a.arg for a in args.kwonlyargs),
                  *(a.arg for a in (args.vararg, args.kwarg) if a is not None)]
        inner = _scope_nodes(node.body)
        chain = [_bindings(inner, module, params), *enclosing]
        info = FunctionInfo(
            location, module.name, node.name, tuple(params), ast.get_docstring(node),
            node.lineno, cls, nested,
            any(isinstance(n, (*_FUNCTION, ast.ClassDef, ast.Lambda)) for n in inner),
            bool(marks & _PROPERTY_LIKE))
        existing = self.index.functions.setdefault(location, info)
        if existing is not info:
            existing.defined_times += 1
        self_ctx = (positional[0], cls) if cls and positional and "staticmethod" not in marks \
            else None
        self.scope(module, inner, location.qualname + ".", chain, chain, existing.calls,
                   None, True, self_ctx)
