"""R2E-Gym row parts: unified diffs from ``parsed_commit_content`` and pytest ``-rA`` summaries.

``parsed_commit_content`` is R2E-Gym's ``ParsedCommit`` as JSON: ``old_commit_hash``,
``new_commit_hash``, ``commit_message``, ``commit_date`` and ``file_diffs``. Each file diff
has ``header.file.path``, ``header.misc_line`` (``new file mode ...``), ``index_line``,
``is_binary_file``, ``minus_file.path``/``plus_file.path`` (``a/x``, ``b/x`` or ``/dev/null``)
and ``hunks``: ``descriptor.old_range``/``new_range`` (``start``, ``length``), ``section`` and
``line_group.all_lines`` (``content``, ``type`` in context/added/deleted/note).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

STATUSES = ("PASSED", "FAILED", "ERROR")
_ANSI = re.compile(r"\x1b\[[0-9;]*m|\r")
_SIGN = {"context": " ", "added": "+", "deleted": "-", "note": "\\"}
_FLIP = {"added": "deleted", "deleted": "added"}
_MODE_FLIP = {"new file mode": "deleted file mode", "deleted file mode": "new file mode"}


def is_test_path(path: str) -> bool:
    """R2E-Gym's rule (``FileDiff.is_test_file``) for a test file of a commit."""
    parts = path.split("/")
    return (path.endswith("_test.py") or parts[-1].startswith("test_")
            or any(part in ("tests", "Tests", "test", "Test") for part in parts))


def render_diff(diff: Mapping[str, Any], *, reverse: bool = False) -> str:
    """One file diff as ``git diff`` text; ``reverse`` undoes it (new -> old).

    Raises ``ValueError`` for a binary diff (its content is not in the row) or a bad shape.
    """
    path = diff["header"]["file"]["path"]
    if diff.get("is_binary_file"):
        raise ValueError(f"{path} is a binary diff")
    out = [f"diff --git a/{path} b/{path}"]
    misc = diff["header"].get("misc_line")
    if misc:
        out.append(_flip_mode(misc) if reverse else misc)
    index = diff.get("index_line")
    if index and not reverse:
        mode = f" {index['mode']}" if index.get("mode") else ""
        out.append(f"index {index['old_commit_hash']}..{index['new_commit_hash']}{mode}")
    minus, plus = diff.get("minus_file"), diff.get("plus_file")
    if minus and plus:
        old, new = (_swap_prefix(plus["path"]), _swap_prefix(minus["path"])) if reverse \
            else (minus["path"], plus["path"])
        out += [f"--- {old}", f"+++ {new}"]
    for hunk in diff.get("hunks") or []:
        descriptor = hunk["descriptor"]
        before, after = descriptor["old_range"], descriptor["new_range"]
        if reverse:
            before, after = after, before
        section = f" {descriptor['section']}" if descriptor.get("section") else ""
        out.append(f"@@ -{_range(before)} +{_range(after)} @@{section}")
        for line in hunk["line_group"]["all_lines"]:
            kind = _FLIP.get(line["type"], line["type"]) if reverse else line["type"]
            out.append(_SIGN[kind] + line["content"])
    return "\n".join(out) + "\n"


def new_file_diff(path: str, content: str) -> str:
    """A diff that creates ``path`` holding ``content``."""
    out = [f"diff --git a/{path} b/{path}", "new file mode 100644"]
    if content:
        lines = content.split("\n")
        missing_newline = lines[-1] != ""
        if not missing_newline:
            lines.pop()
        out += ["--- /dev/null", f"+++ b/{path}", f"@@ -0,0 +1,{len(lines)} @@"]
        out += [f"+{line}" for line in lines]
        if missing_newline:
            out.append("\\ No newline at end of file")
    return "\n".join(out) + "\n"


def r2e_key(node_or_key: str) -> str:
    """R2E-Gym's test key: ANSI colours and a `` - reason`` suffix removed."""
    return _ANSI.sub("", node_or_key).split(" - ")[0]


def parse_summary(log: str) -> dict[str, tuple[str, str]]:
    """``{key: (node id, status)}`` from the ``short test summary info`` block of a log.

    The key is R2E-Gym's (``expected_output_json`` keys): the node id without its file,
    parts joined by ``.`` (``r2e_tests/test_1.py::TestA::test_b`` -> ``TestA.test_b``).
    Lines without ``::`` (collection errors) have no key and are skipped.
    """
    text = _ANSI.sub("", log)
    if "short test summary info" not in text:
        return {}
    result: dict[str, tuple[str, str]] = {}
    for line in text.split("short test summary info", 1)[1].strip().split("\n"):
        status = next((s for s in STATUSES if line.startswith(s)), None)
        if status is None:
            continue
        node = line[len(status):].strip().split(" - ")[0]
        key = ".".join(node.split("::")[1:])
        if key:
            result[key] = (node, status)
    return result


def _range(value: Mapping[str, Any]) -> str:
    length = value.get("length")
    return f"{value['start']}" if length is None else f"{value['start']},{length}"


def _swap_prefix(path: str) -> str:
    if path.startswith("a/"):
        return "b/" + path[2:]
    if path.startswith("b/"):
        return "a/" + path[2:]
    return path


def _flip_mode(misc: str) -> str:
    for before, after in _MODE_FLIP.items():
        if misc.startswith(before):
            return after + misc[len(before):]
    return misc
