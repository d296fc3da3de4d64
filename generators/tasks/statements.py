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

_ADDRESS = re.compile(r"0x[0-9a-fA-F]{6,}")
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
    """One line, bounded, without memory addresses or any of ``secrets`` (file and module)."""
    text = " ".join(message.split())
    for secret in sorted((s for s in secrets if s), key=len, reverse=True):
        text = text.replace(secret, "<module>")
    text = _ADDRESS.sub("0x...", text)
    return text if len(text) <= _MAX_MESSAGE else text[:_MAX_MESSAGE - 3] + "..."


def write_statement(project: str, failures: Mapping[str, str], secrets: Sequence[str],
                    rng: random.Random) -> str:
    """The issue text for a bug whose failing tests and messages are ``failures``."""
    tests = sorted(failures)
    lines = [rng.choice(_OPENINGS).format(project=project), "",
             "These checks from the project's test-suite fail now:", ""]
    for test in tests[:_MAX_LISTED]:
        message = scrub(failures[test], secrets)
        lines.append(f"- `{describe_test(test)}`" + (f": {message}" if message else ""))
    if len(tests) > _MAX_LISTED:
        lines.append(f"- ... and {len(tests) - _MAX_LISTED} more")
    lines += ["", rng.choice(_CLOSINGS), ""]
    return "\n".join(lines)
