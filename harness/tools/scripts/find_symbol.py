"""Run inside a sandbox: print where a Python symbol is defined (``path:line kind qualname``).

Usage: python3 - NAME [PATH] < find_symbol.py. NAME matches a bare name
(``parse``), a qualified name (``Parser.parse``) or a dotted suffix of
``module.qualname`` (``csv_reader.Parser.parse``).
"""

import ast
import os
import sys
from collections.abc import Iterator

SKIP = {".git", "__pycache__", ".pytest_cache", ".tox", ".venv", "node_modules"}


def definitions(tree: ast.Module) -> Iterator[tuple[str, str, int]]:
    stack: list[tuple[ast.stmt, str]] = [(node, "") for node in tree.body]
    while stack:
        node, prefix = stack.pop(0)
        if isinstance(node, ast.ClassDef):
            qualname = f"{prefix}{node.name}"
            yield "class", qualname, node.lineno
            stack[0:0] = [(child, f"{qualname}.") for child in node.body]
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield ("method" if prefix else "function"), f"{prefix}{node.name}", node.lineno
        elif isinstance(node, (ast.Assign, ast.AnnAssign)) and not prefix:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    yield "variable", target.id, node.lineno


def main() -> None:
    name = sys.argv[1]
    root = sys.argv[2] if len(sys.argv) > 2 else "."
    hits = 0
    for directory, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP)
        for filename in sorted(files):
            if not filename.endswith(".py"):
                continue
            path = os.path.normpath(os.path.join(directory, filename))
            module = path[:-3].replace(os.sep, ".")
            try:
                with open(path, encoding="utf-8") as handle:
                    tree = ast.parse(handle.read(), filename=path)
            except (SyntaxError, UnicodeDecodeError, ValueError):
                continue
            for kind, qualname, line in definitions(tree):
                dotted = f"{module}.{qualname}"
                if name in (qualname, qualname.rsplit(".", 1)[-1]) or dotted.endswith("." + name) \
                        or dotted == name:
                    print(f"{path}:{line} {kind} {qualname}")
                    hits += 1
    if not hits:
        print(f"no definition of {name!r} found")


main()
