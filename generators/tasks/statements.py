"""Issue-style problem statements written from the failing tests' behaviour.

The statement names the failing checks and what they observed, the way a
user reporting a regression would; it never names the file or module that
holds the bug (those are scrubbed from test messages too), and it is a pure
function of its inputs and the seeded generator, so banks rebuild
byte-identically.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from generators.tasks.refactors import MultiSite

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
# The tail of an object's repr that pytest cut short: "<Thing...9040750>", "<Thing...x7f5a90>"
_CUT_ADDRESS = re.compile(r"\.\.\.x?[0-9a-fA-F]{4,}>")
_MAX_MESSAGE = 240
_MAX_LISTED = 6

_OPENINGS = (
    "Since the last change, parts of {project} no longer behave as documented.",
    "We upgraded to this revision of {project} and some behaviour regressed.",
    "A regression slipped into {project}: results that used to be right are now wrong.",
    "Something in {project} is broken; code depending on it started failing.",
)
_CLOSINGS = (
    "Please find the cause and fix it without changing the tests' expectations.",
    "The expected behaviour is what these checks assert; please restore it.",
    "Could you track down what changed and fix it? The checks above should pass again.",
)


def describe_test(test_id: str) -> str:
    """A test id without its file path: ``Class::test_name[param]`` or ``test_name``."""
    parts = test_id.split("::")
    return "::".join(parts[1:]) if len(parts) > 1 else test_id


def scrub(message: str, secrets: Sequence[str]) -> str:
    """One line, bounded, without memory addresses (whole, or the tail pytest's repr kept of
    one: they differ from run to run) or any of ``secrets`` (file and module)."""
    text = " ".join(message.split())
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "<module>")
    text = _CUT_ADDRESS.sub("...>", _ADDRESS.sub("0x...", text))
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE - 3] + "..."


def listed_tests(failures: Mapping[str, str], groups: Sequence[Sequence[str]] = ()) -> list[str]:
    """The failing tests a statement lists, at most ``_MAX_LISTED``: taken in turn from each
    of ``groups`` (the tests each bug of a combined case fails alone), so that every bug
    shows, then the rest; each group and the rest in sorted order."""
    queues = [sorted(t for t in group if t in failures) for group in groups]
    queues.append(sorted(failures))
    chosen: list[str] = []
    while len(chosen) < min(_MAX_LISTED, len(failures)):
        for queue in queues:
            while queue and queue[0] in chosen:
                queue.pop(0)
            if queue and len(chosen) < _MAX_LISTED:
                chosen.append(queue.pop(0))
    return chosen


def write_statement(project: str, failures: Mapping[str, str], secrets: Sequence[str],
                    rng: random.Random, groups: Sequence[Sequence[str]] = ()) -> str:
    """The issue text for a bug whose failing tests and messages are ``failures``; with
    ``groups`` (one per bug of a combined case), every bug has a listed test."""
    listed = listed_tests(failures, groups)
    lines = [rng.choice(_OPENINGS).format(project=project), "",
             "These checks from the project's test-suite fail now:", ""]
    for test in listed:
        message = scrub(failures[test], secrets)
        lines.append(f"- `{describe_test(test)}`" + (f": {message}" if message else ""))
    if len(failures) > len(listed):
        lines.append(f"- ... and {len(failures) - len(listed)} more")
    lines += ["", rng.choice(_CLOSINGS), ""]
    return "\n".join(lines)


_REMOVAL_OPENINGS = (
    "`{name}` is gone from this revision of {project}, and code that used it breaks.",
    "Our code calls `{name}` from {project}, and it no longer exists in this revision.",
    "{project} used to provide `{name}`; in this revision it is missing.",
)


def removal_statement(project: str, site: MultiSite, failures: Mapping[str, str],
                      secrets: Sequence[str], rng: random.Random) -> str:
    """The issue text for a removed feature: its public name, what its documentation
    said, and the checks that fail without it (never the file it lived in)."""
    name = f"{site.symbol.split('.', 1)[0]}.{site.symbol.rsplit('.', 1)[-1]}"
    lines = [rng.choice(_REMOVAL_OPENINGS).format(name=name, project=project), "",
             "Its documentation read:", ""]
    lines += [f"    {line}".rstrip() for line in scrub_lines(site.docstring, secrets)]
    lines += ["", "These checks from the project's test-suite fail now:", ""]
    listed = listed_tests(failures)
    for test in listed:
        message = scrub(failures[test], secrets)
        lines.append(f"- `{describe_test(test)}`" + (f": {message}" if message else ""))
    if len(failures) > len(listed):
        lines.append(f"- ... and {len(failures) - len(listed)} more")
    lines += ["", f"Please restore `{name}` as documented, wherever the package provides it.",
              ""]
    return "\n".join(lines)


def scrub_lines(text: str, secrets: Sequence[str]) -> list[str]:
    """``text``'s lines with ``secrets`` (file and module names) replaced."""
    lines = text.splitlines()
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        lines = [line.replace(secret, "<module>") for line in lines]
    return lines


_STATEMENT = re.compile(r"^>\s+(.*\S)")
# "name = value, other = value" (a frame's arguments) or "name      = value" (a local)
_VALUES = re.compile(r"(\w+)\s+= (.*?)(?=, \w+\s+= |$)")
_MAX_VALUE = 60


def explain_assertion(message: str, traceback: str) -> str:
    """``message``, or, for a bare ``AssertionError`` (an assert pytest did not rewrite,
    such as one in a helper module), the failing statement and the values of the names
    it uses, read from the last frame of pytest's long traceback (``--showlocals`` adds
    the frame's locals to its arguments)."""
    if message.strip() != "AssertionError":
        return message
    frame = re.split(r"^(?:_ )+_\s*$", traceback, flags=re.MULTILINE)[-1]
    statements = [m.group(1) for line in frame.splitlines() if (m := _STATEMENT.match(line))]
    if not statements:
        return message
    statement = statements[-1]
    values: dict[str, str] = {}
    for line in frame.splitlines():
        if re.match(r"\w+\s+= ", line):
            for name, value in _VALUES.findall(line):
                values.setdefault(name, value.strip())
    places = {name: found.start() for name in values
              if (found := re.search(rf"\b{re.escape(name)}\b", statement))}
    used = [f"{name} = {_bounded(values[name])}"
            for name in sorted(places, key=lambda name: (places[name], name))]
    where = f", where {', '.join(used)}" if used else ""
    return f"AssertionError: `{statement}` failed{where}"


def _bounded(value: str) -> str:
    return value if len(value) <= _MAX_VALUE else value[:_MAX_VALUE - 3] + "..."
