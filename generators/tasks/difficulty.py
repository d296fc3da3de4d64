"""How a generated bug could be found without reasoning, and the difficulty it is tagged with.

Two shortcuts make an injected bug easy in a way real bugs are not:

- **a linter flags it**: the mutation makes pyflakes report something new (an unused
  variable or import, an undefined name, a redefinition). Such candidates are dropped
  before screening (``lint_detectable``);
- **a name gives it away**: the buggy function's name appears in the name of a failing
  test the statement lists (``named_by_tests``), or a listed failure is Python's argument
  ``TypeError`` naming the parameter a signature lost (``names_the_signature``). Those
  cases are kept, tagged ``easy``.

Otherwise a single bug is ``medium`` and a combined one (two bugs in two files) ``hard``.
"""

from __future__ import annotations

import ast
import functools
import re
from collections import Counter
from collections.abc import Sequence
from typing import Literal

from generators.tasks.mutations import Mutation

Difficulty = Literal["easy", "medium", "hard"]
_MIN_NAME = 3  # shorter names (`f`, `ok`) match test names by accident


@functools.lru_cache(maxsize=32)  # the original of a module is checked once per candidate
def lint_findings(source: str, filename: str = "module.py") -> Counter[str]:
    """pyflakes' findings in ``source``, without line numbers (so they compare across an
    edit that moves lines); a file that does not parse gives one ``syntax error``."""
    from pyflakes import checker  # lazy: only generators need it

    try:
        tree = compile(source, filename, "exec", flags=ast.PyCF_ONLY_AST, dont_inherit=True)
    except (SyntaxError, ValueError):
        return Counter({"syntax error": 1})
    found = checker.Checker(tree, filename=filename)
    return Counter(type(m).__name__ + ":" + repr(m.message_args) for m in found.messages)


def lint_detectable(mutation: Mutation) -> bool:
    """Whether pyflakes reports something in the mutated file it does not in the original."""
    before = lint_findings(mutation.original, mutation.path)
    after = lint_findings(mutation.mutated, mutation.path)
    return bool(after - before)


def named_by_tests(mutations: Sequence[Mutation], listed_tests: Sequence[str]) -> bool:
    """Whether a buggy function's own name appears in a listed failing test's name."""
    names = {m.symbol.rsplit(".", 1)[-1].strip("_").casefold() for m in mutations}
    names = {name for name in names if len(name) >= _MIN_NAME}
    tests = [re.split(r"[\[]", test.rsplit("::", 1)[-1])[0].casefold() for test in listed_tests]
    return any(name in test for name in names for test in tests)


_SIGNATURE_ERROR = re.compile(r"unexpected keyword argument|positional arguments? but|"
                              r"missing \d+ required|takes no (?:keyword )?arguments")


def names_the_signature(messages: Sequence[str]) -> bool:
    """Whether a listed failure is Python's complaint about a call's arguments (which
    says what parameter is missing)."""
    return any(_SIGNATURE_ERROR.search(message) for message in messages)


def difficulty(mutations: Sequence[Mutation], listed_tests: Sequence[str],
               messages: Sequence[str] = ()) -> Difficulty:
    """``easy`` when a test name gives the function away, or a listed failure is an
    argument ``TypeError`` naming the parameter; else ``hard`` for several files and
    ``medium`` for one."""
    if named_by_tests(mutations, listed_tests) or names_the_signature(messages):
        return "easy"
    return "hard" if len({m.path for m in mutations}) > 1 else "medium"
