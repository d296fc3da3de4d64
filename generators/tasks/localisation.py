"""Navigation questions over a Python project, answered exactly from its AST.

Answers are locations ``path/to/file.py::Qualified.name`` (see :mod:`project_index` for how
calls are resolved), graded by :mod:`harness.grading.answer` (re-exported here). A question
is only generated when its answer is exact:

function_localisation: a function or method (not nested, not a dunder, defined once, without
  ``@overload`` variants; ``_private`` helpers are included) whose docstring's first sentence has
  at least six words. The question lists that sentence's content words (``keywords``: three
  letters or more, no stop words, its own name and parameter names masked as in ``_mask``) in
  alphabetical order, not as a quote, so no one verbatim grep finds it; it is asked only when
  there are at least four, every one is on at least three lines of the project's Python files
  (a grep for any one word shows other places too), and no other docstring's first sentence
  has them all (one answer). The question never contains the function's name, its file's
  name or its module.
callers of S (simple name ``n``): S is a plain function or method (not nested, not a dunder,
  not property-like, defined once, unique import path); no other function or method is named
  ``n``; no call anywhere whose simple name is ``n`` stayed unresolved; S never escapes (no use
  other than a direct call, no ``import ... as`` alias, ``n`` is no string constant outside
  ``__all__`` and docstrings, ``n`` neither starts with the literal head nor ends with the
  literal tail of a computed string (``"do_" + x``, ``f"{x}_schema"``, ``"do_%s"``), ``n`` is
  in no file that failed to parse); S is not called from module or class-body code; 1-8 callers,
  none nested or defined twice.
callees of X: X is not nested, defined once, holds no def, class or lambda, has a unique import
  path, makes no opaque call, instantiates no project class, uses no project function without
  calling it, and none of its unresolved calls bears the simple name of a project function;
  1-8 callees, none defined twice.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from generators.tasks.project_index import FunctionInfo, ProjectIndex, index_project
from harness.grading.answer import AnswerGrade, Location, grade_answer, parse_answer

__all__ = [
    "KINDS", "AnswerGrade", "LocalisationQuestion", "Location", "ProjectIndex",
    "callee_questions", "caller_questions", "first_sentence", "function_localisation_questions",
    "grade_answer", "index_project", "parse_answer", "select_questions",
]

Kind = Literal["function_localisation", "callers", "callees"]
KINDS: tuple[Kind, ...] = ("function_localisation", "callers", "callees")
MAX_ANSWERS = 8
MIN_WORDS = 6
MIN_KEYWORDS = 4
MIN_SPREAD = 3  # lines a keyword must be on: the answer's own and two more
FN_MASK, ARG_MASK = "<fn>", "<arg>"
ANSWER_FORMAT = ("Answer with locations written as path/to/file.py::Qualified.name (the path "
                 "relative to the repository root), one per line.")
_SENTENCE_END = re.compile(r"(?<!\be\.g)(?<!\bi\.e)(?<!\betc)(?<!\bvs)[.!?](?=\s|$)", re.I)


@dataclass(frozen=True)
class LocalisationQuestion:
    """One question; ``answer`` is exact, sorted and non-empty."""

    kind: Kind
    question: str
    answer: tuple[Location, ...]
    subject: Location | None = None  # callers/callees: the function asked about


def _normal(text: str) -> str:
    return " ".join(text.split())


def first_sentence(docstring: str) -> str:
    """The first sentence of the first paragraph, whitespace normalised."""
    text = _normal(re.split(r"\n\s*\n", docstring.strip())[0])
    end = _SENTENCE_END.search(text)
    return text[: end.end()] if end else text


def _docstrings(index: ProjectIndex) -> list[str]:
    texts = [m.docstring for m in index.modules.values()]
    texts += [d for m in index.modules.values() for d in m.classes.values()]
    texts += [f.docstring for f in index.functions.values()]
    return [_normal(t) for t in texts if t]


def _mask(sentence: str, info: FunctionInfo) -> str:
    masked = re.sub(rf"\b{re.escape(info.name)}\b", FN_MASK, sentence, flags=re.IGNORECASE)
    for param in sorted(set(info.params) - {"self", "cls"}, key=len, reverse=True):
        quoted = rf"(``?|\*\*?|')\b{re.escape(param)}\b\1"
        masked = re.sub(quoted, ARG_MASK, masked)
        if "_" in param or any(c.isdigit() for c in param):
            masked = re.sub(rf"\b{re.escape(param)}\b", ARG_MASK, masked)
    return masked


def _mentions(text: str, word: str) -> bool:
    return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None


_TOKEN = re.compile(r"[a-z0-9_]*[a-z][a-z0-9_]*")  # "8bit" is one word, "42" none
_STOP_WORDS = frozenset({
    "a", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can", "for",
    "from", "has", "have", "if", "in", "into", "is", "it", "its", "may", "not", "of", "on",
    "or", "than", "that", "the", "their", "them", "then", "there", "these", "this", "those",
    "to", "was", "were", "when", "where", "which", "while", "who", "whose", "will", "with"})


def _tokens(text: str) -> set[str]:
    return set(_TOKEN.findall(text.casefold()))


def keywords(masked: str) -> list[str]:
    """The content words of a masked sentence, sorted: three letters or more, no stop
    words, no masks."""
    plain = masked.replace(FN_MASK, " ").replace(ARG_MASK, " ")
    return sorted(w for w in _tokens(plain) if len(w) >= 3 and w not in _STOP_WORDS)


def word_spread(root: Path) -> Counter[str]:
    """On how many lines of the Python files under ``root`` (tests included) each word
    appears."""
    spread: Counter[str] = Counter()
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root).parts
        if any(part.startswith(".") or part.endswith(".egg-info") for part in relative):
            continue
        for line in path.read_bytes().decode("utf-8", "replace").splitlines():
            spread.update(_tokens(line))
    return spread


def function_localisation_questions(index: ProjectIndex) -> list[LocalisationQuestion]:
    """Find-the-function questions from the words of a docstring's first sentence."""
    firsts = [_tokens(first_sentence(t)) for t in _docstrings(index)]
    spread = word_spread(index.root)
    out: list[LocalisationQuestion] = []
    for location, info in sorted(index.functions.items()):
        if not info.docstring or info.nested or info.defined_times > 1 or info.has_overloads \
                or (info.name.startswith("__") and info.name.endswith("__")):
            continue
        sentence = first_sentence(info.docstring)
        if len(sentence.split()) < MIN_WORDS:
            continue
        words = keywords(_mask(sentence, info))
        if len(words) < MIN_KEYWORDS:
            continue
        if sum(set(words) <= first for first in firsts) != 1:
            continue  # another docstring's first sentence has them all: two answers
        if any(spread[word] < MIN_SPREAD for word in words):
            continue  # a word on few lines: grepping it would point at the answer
        listed = ", ".join(f"`{word}`" for word in words)
        question = (f"Which function or method has a docstring whose first sentence uses "
                    f"every one of these words (listed in alphabetical order, not quoted): "
                    f"{listed}? {ANSWER_FORMAT}")
        module = index.modules[location.path].name
        stem = location.path.rsplit("/", 1)[-1]
        if any(_mentions(question, w) for w in (info.name, stem, location.path, module)):
            continue
        out.append(LocalisationQuestion("function_localisation", question, (location,)))
    return out


def caller_questions(index: ProjectIndex) -> list[LocalisationQuestion]:
    """Which functions call ``S`` directly, where the answer is exact (rules above)."""
    infos = list(index.functions.values())
    names = Counter(f.name for f in infos)
    facts = [index.toplevel, *(f.calls for f in infos)]
    unresolved = {name for f in facts for name in f.unresolved | f.unresolved_refs}
    escaped = {loc for f in facts for loc in f.refs} | index.aliased
    out: list[LocalisationQuestion] = []
    for location, info in sorted(index.functions.items()):
        name, path = info.name, index.import_path(location)
        if path is None or info.nested or info.property_like or info.defined_times > 1 \
                or info.has_overloads or (name.startswith("__") and name.endswith("__")) \
                or names[name] > 1 or name in unresolved or location in escaped \
                or name in index.strings or name in index.skipped_words \
                or location in index.toplevel.callees \
                or any(name.startswith(p) for p in index.string_prefixes) \
                or any(name.endswith(p) for p in index.string_suffixes):
            continue
        callers = index.callers(location)
        if not 0 < len(callers) <= MAX_ANSWERS or any(
                index.functions[c].nested or index.functions[c].defined_times > 1
                for c in callers):
            continue
        question = (f"Which functions or methods in this project call `{path}` directly? List "
                    f"every one, leaving out tests, docs and examples. {ANSWER_FORMAT}")
        out.append(LocalisationQuestion("callers", question, tuple(sorted(callers)), location))
    return out


def callee_questions(index: ProjectIndex) -> list[LocalisationQuestion]:
    """Which project functions does ``X`` call directly, where the answer is exact."""
    names = {f.name for f in index.functions.values()}
    out: list[LocalisationQuestion] = []
    for location, info in sorted(index.functions.items()):
        calls, path = info.calls, index.import_path(location)
        if path is None or info.nested or info.defined_times > 1 or info.has_nested_scopes \
                or calls.opaque or calls.instantiates or calls.refs \
                or calls.unresolved & names or not 0 < len(calls.callees) <= MAX_ANSWERS \
                or any(index.functions[c].defined_times > 1 for c in calls.callees):
            continue
        question = (f"Which functions or methods defined in this project does `{path}` call "
                    f"directly in its own body? Leave out builtins and other libraries. "
                    f"{ANSWER_FORMAT}")
        out.append(LocalisationQuestion("callees", question, tuple(sorted(calls.callees)),
                                        location))
    return out


_GENERATORS: dict[Kind, Callable[[ProjectIndex], list[LocalisationQuestion]]] = {
    "function_localisation": function_localisation_questions,
    "callers": caller_questions,
    "callees": callee_questions,
}


def _order(question: LocalisationQuestion) -> tuple[int, str, str]:
    anchor = question.subject or question.answer[0]
    return KINDS.index(question.kind), str(anchor), question.question


def select_questions(index: ProjectIndex, seed: int, count: int) -> list[LocalisationQuestion]:
    """Up to ``count`` questions, round-robin over the kinds, drawn with ``random.Random(seed)``."""
    rng = random.Random(seed)
    pools: dict[Kind, list[LocalisationQuestion]] = {}
    for kind in KINDS:
        pools[kind] = sorted(_GENERATORS[kind](index), key=_order)
        rng.shuffle(pools[kind])
    chosen: list[LocalisationQuestion] = []
    while len(chosen) < count and any(pools.values()):
        for kind in KINDS:
            if pools[kind] and len(chosen) < count:
                chosen.append(pools[kind].pop())
    return sorted(chosen, key=_order)
