"""What a model-written test adds: its new assertions, and which the repository already makes.

An assertion is an ``assert`` statement or a ``self.assert*(...)`` call, compared as its
syntax tree without positions (so formatting, comments and line numbers do not matter).
Source that does not parse has no assertions.
"""

from __future__ import annotations

import ast
from collections import Counter
from collections.abc import Iterable


def assertions(source: str) -> Counter[str]:
    """The assertions of ``source``, by fingerprint, with how often each occurs."""
    try:
        tree = ast.parse(source)
    except (SyntaxError, ValueError):
        return Counter()
    found: Counter[str] = Counter()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            found[ast.dump(node.test)] += 1
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr.startswith("assert")):
            found[ast.dump(node)] += 1
    return found


def new_assertions(before: str, after: str) -> list[str]:
    """The assertions ``after`` makes beyond those ``before`` made (a file's versions)."""
    return sorted((assertions(after) - assertions(before)).elements())


def redundant_share(added: Iterable[str], existing_sources: Iterable[str]) -> float:
    """The share of ``added`` assertions that one of ``existing_sources`` already makes
    (0 when nothing was added)."""
    added = list(added)
    if not added:
        return 0.0
    known: set[str] = set()
    for source in existing_sources:
        known.update(assertions(source))
    return sum(fingerprint in known for fingerprint in added) / len(added)
