"""SWE-bench rows as ``Task`` objects: full, Lite, Verified and same-shape sets (Multilingual,
Multimodal, SWE-smith ...).

Accepted schemas:

* classic, 12 columns: ``CLASSIC_COLUMNS``;
* SWE-bench 5.x, the classic ones plus ``V5_COLUMNS`` (``image``, ``eval_script``,
  ``log_parser``, ``eval_type``, ``difficulty``), all optional;
* SWE-bench Multimodal: ``image_assets`` (JSON text or an object of lists; a list holds
  ``{"path", "url"}`` objects, or bare URLs, kept as ``{"url": ...}``) becomes
  ``Task.image_assets``, empty lists left out;
* SWE-smith: a row naming its image in ``image_name`` (``Task.image``). Its tests are in the
  image, so ``test_patch`` may be absent (kept empty). Its ``patch`` is the bug: applied to
  the clean repository it made the base state (``base_commit`` on the mirror ``repo``), and
  SWE-smith grades the gold solution by reverting it, so ``Task.patch`` is that patch
  reversed (``reverse_patch``).

Every known column lands in the ``Task`` field of the same name. ``FAIL_TO_PASS`` and
``PASS_TO_PASS`` may be JSON text (the official files) or lists, and may be empty (the
official Multilingual file has such a row). Columns outside these schemas are dropped;
``LoadResult.dropped_columns`` lists the ones a file had, and ``IGNORED_COLUMNS`` documents
those known to occur in public same-shape sets.

A row that cannot become a task is a ``BankError`` naming file, row and field. By default a
file with any such row is refused (``InvalidRows``: the first one, and how many there are);
``skip_invalid_rows=True`` loads the others and lists the losses in ``LoadResult.skipped``.

Each task gets ``repo_source=GitSource(url="https://github.com/<repo>.git", commit=base_commit)``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.datasets._io import read_rows, string_list, text, validation_error
from harness.errors import BankError
from harness.json_object import NotAJsonObject, json_object, json_type
from harness.task import GitSource, Task

CLASSIC_COLUMNS = (
    "repo", "instance_id", "base_commit", "patch", "test_patch", "problem_statement",
    "hints_text", "created_at", "version", "FAIL_TO_PASS", "PASS_TO_PASS",
    "environment_setup_commit",
)
V5_COLUMNS = ("image", "eval_script", "log_parser", "eval_type", "difficulty")
KNOWN_COLUMNS = CLASSIC_COLUMNS + V5_COLUMNS
SMITH_IMAGE = "image_name"
ASSETS = "image_assets"
READ_COLUMNS = (*KNOWN_COLUMNS, SMITH_IMAGE, ASSETS)

REQUIRED_TEXT = ("instance_id", "repo", "base_commit", "patch", "test_patch", "problem_statement")
OPTIONAL_TEXT = ("hints_text", "created_at", "version", "environment_setup_commit", *V5_COLUMNS)
TEST_LISTS = ("FAIL_TO_PASS", "PASS_TO_PASS")

IGNORED_COLUMNS: Mapping[str, str] = {
    "text": "the retrieval prompt of the *_bm25_* and *_oracle variants (a model input)",
    "docker_image": "R2E-Gym's image name for the row (harness.datasets.r2egym maps it)",
    "parsed_commit": "R2E-Gym's structured copy of the gold commit (the patch column has it)",
    "run_tests_regression": "R2E-Gym's script for the regression tests",
    "prompt": "R2E-Gym's generation prompt (contains the gold patch)",
    "language": "SWE-bench Multilingual / Multi-SWE-bench language tag",
}

_SHA = re.compile(r"[0-9a-f]{40}")
_HUNK = re.compile(r"@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@(.*)")
_SWAPPED = {"new file mode ": "deleted file mode ", "deleted file mode ": "new file mode "}
_PAIRS = {"--- ": "+++ ", "old mode ": "new mode ", "rename from ": "rename to "}


@dataclass(frozen=True)
class LoadResult:
    """Tasks read from one file or dataset, the columns dropped and the rows skipped."""

    origin: str
    tasks: tuple[Task, ...]
    dropped_columns: tuple[str, ...]
    skipped: tuple[BankError, ...] = ()


class InvalidRows(BankError):
    """A file refused for its invalid rows: names the first, counts the rest (``errors``)."""

    def __init__(self, errors: tuple[BankError, ...]) -> None:
        first, more = errors[0], len(errors) - 1
        rest = f"and {more} more invalid row{'s' if more != 1 else ''}" if more \
            else "the only invalid row"
        super().__init__(first.path, first.line, first.field,
                         f"{first.expected} ({rest}; pass skip_invalid_rows=True to load the "
                         "rest)")
        self.errors = errors


def github_url(repo: str) -> str:
    """The clone URL of an ``owner/name`` GitHub repository."""
    return f"https://github.com/{repo}.git"


def source_name(origin: str, prefix: str | tuple[str, ...] = "swe-bench") -> str:
    """``swe-bench-verified`` from ``SWE-bench_Verified.test.parquet`` or ``hf://x/SWE-bench_Verified``.

    The file or dataset name, lower-cased with ``_`` as ``-``; the (first) ``prefix`` if it
    does not start with one.
    """
    prefixes = (prefix,) if isinstance(prefix, str) else prefix
    base = origin.removeprefix("hf://").split("[", 1)[0]
    stem = base.replace("\\", "/").rsplit("/", 1)[-1].split(".", 1)[0].lower().replace("_", "-")
    return stem if stem.startswith(prefixes) else prefixes[0]


def task_from_row(row: Mapping[str, Any], *, origin: str, number: int,
                  capability: str = "navigation", source: str = "swe-bench") -> Task:
    """One SWE-bench (or SWE-smith) row as a ``Task``; a malformed row raises ``BankError``
    naming the field."""
    smith = row.get(SMITH_IMAGE) is not None
    required = tuple(field for field in REQUIRED_TEXT if not (smith and field == "test_patch"))
    optional = (*OPTIONAL_TEXT, *(("test_patch",) if smith else ()))
    values: dict[str, Any] = {field: text(row, field, origin, number) for field in required}
    values.update({field: text(row, field, origin, number, required=False)
                   for field in optional})
    values.update({field: string_list(row, field, origin, number) for field in TEST_LISTS})
    commit = values["base_commit"]
    if not _SHA.fullmatch(commit):
        raise BankError(origin, number, "base_commit",
                        f"a full 40-hex lowercase commit sha, got {commit[:60]!r}")
    if smith:
        values["image"] = values["image"] or text(row, SMITH_IMAGE, origin, number)
        try:
            values["patch"] = reverse_patch(values["patch"])
        except ValueError as exc:
            raise BankError(origin, number, "patch", "SWE-smith's bug patch as a text diff "
                            f"that can be reversed into the fix ({exc})") from exc
    values.update(image_assets=image_assets(row, origin, number), capability=capability,
                  source=source,
                  repo_source=GitSource(kind="git", url=github_url(values["repo"]), commit=commit))
    try:
        return Task.model_validate(values)
    except ValidationError as exc:
        raise validation_error(exc, origin, number) from exc


def image_assets(row: Mapping[str, Any], origin: str,
                 number: int) -> dict[str, list[dict[str, str]]]:
    """The ``image_assets`` column as ``{column: [{"path": ..., "url": ...}, ...]}``.

    JSON text (the Hugging Face files) or an object (Parquet structs, local rows); a bare URL
    becomes ``{"url": URL}``; null or empty lists are left out.
    """
    raw = row.get(ASSETS)
    if raw is None or raw == "":
        return {}
    try:
        assets = json_object(raw)
    except NotAJsonObject as exc:
        raise BankError(origin, number, ASSETS, f"an object of asset lists; {exc}") from exc
    result: dict[str, list[dict[str, str]]] = {}
    for key, entries in assets.items():
        if entries is None:
            continue
        if not isinstance(entries, list):
            raise BankError(origin, number, f"{ASSETS}.{key}",
                            f"a list of assets, got a JSON {json_type(entries)}")
        kept = [_asset(entry, origin, number, f"{ASSETS}.{key}.{index}")
                for index, entry in enumerate(entries)]
        if kept:
            result[str(key)] = kept
    return result


def _asset(entry: Any, origin: str, number: int, field: str) -> dict[str, str]:
    if isinstance(entry, str):
        return {"url": entry}
    if isinstance(entry, Mapping) and all(
            isinstance(key, str) and (value is None or isinstance(value, str))
            for key, value in entry.items()):
        return {key: value for key, value in entry.items() if value is not None}
    raise BankError(origin, number, field, "a URL or an object of strings "
                    f"({{'path': ..., 'url': ...}}), got {str(entry)[:80]}")


def reverse_patch(patch: str) -> str:
    """The git diff that undoes ``patch``: ``+`` and ``-`` swapped, hunk ranges, file names,
    modes and index lines exchanged. ``ValueError`` for a binary or copy diff, or a hunk whose
    lines do not fit its header."""
    out: list[str] = []
    held: tuple[str, str] | None = None
    old_left = new_left = 0
    hunk_ended = False
    lines = patch.split("\n")
    ends_with_newline = lines[-1] == ""
    for line in lines[:-1] if ends_with_newline else lines:
        if line.startswith("\\"):
            out.append(line)
        elif old_left > 0 or new_left > 0:
            old_left, new_left = _flip_hunk_line(line, out, old_left, new_left)
            hunk_ended = old_left == new_left == 0
        elif hunk_ended and line.startswith(("+", "-", " ")) and not (
                line.startswith("--- ") or line == "-- "):
            raise ValueError(f"a hunk has more lines than its @@ header says ({line[:60]!r})")
        elif held is not None:
            first, value = held
            second = _PAIRS[first]
            if not line.startswith(second):
                raise ValueError(f"a {first.strip()!r} line not followed by {second.strip()!r}")
            out += [first + _swap_side(line[len(second):]), second + _swap_side(value)]
            held = None
        elif match := _HUNK.fullmatch(line):
            old_start, old_length, new_start, new_length, section = match.groups()
            old_left = 1 if old_length is None else int(old_length)
            new_left = 1 if new_length is None else int(new_length)
            old = old_start if old_length is None else f"{old_start},{old_length}"
            new = new_start if new_length is None else f"{new_start},{new_length}"
            out.append(f"@@ -{new} +{old} @@{section}")
        else:
            hunk_ended = False
            held = _held(line)
            if held is None:
                out.append(_header(line))
    if old_left > 0 or new_left > 0:
        raise ValueError("the patch ends inside a hunk")
    if held is not None:
        raise ValueError(f"the patch ends after a {held[0].strip()!r} line")
    return "\n".join(out) + ("\n" if ends_with_newline else "")


def _flip_hunk_line(line: str, out: list[str], old_left: int, new_left: int) -> tuple[int, int]:
    """Append ``line`` of a hunk with its side swapped; the old and new lines still to come."""
    tag = line[:1]
    if tag in (" ", ""):
        old_left, new_left = old_left - 1, new_left - 1
        out.append(line)
    elif tag == "-":
        old_left -= 1
        out.append("+" + line[1:])
    elif tag == "+":
        new_left -= 1
        out.append("-" + line[1:])
    else:
        raise ValueError(f"hunk line {line[:60]!r} is not context, + or -")
    if old_left < 0 or new_left < 0:
        raise ValueError("a hunk has more lines than its @@ header says")
    return old_left, new_left


def _held(line: str) -> tuple[str, str] | None:
    """``(prefix, value)`` when ``line`` opens a pair of lines that trade values."""
    for first in _PAIRS:
        if line.startswith(first):
            return first, line[len(first):]
    return None


def _header(line: str) -> str:
    if line.startswith(("GIT binary patch", "Binary files ")):
        raise ValueError("a binary diff cannot be reversed from its text")
    if line.startswith(("copy from ", "copy to ")):
        raise ValueError("a copy cannot be reversed")
    if line.startswith("diff --git a/"):
        old, separator, new = line[len("diff --git a/"):].partition(" b/")
        return line if not separator or old == new else f"diff --git a/{new} b/{old}"
    for before, after in _SWAPPED.items():
        if line.startswith(before):
            return after + line[len(before):]
    if line.startswith("index ") and ".." in line:
        hashes, space, mode = line[len("index "):].partition(" ")
        old, _, new = hashes.partition("..")
        return f"index {new}..{old}{space}{mode}"
    return line


def _swap_side(path: str) -> str:
    """``a/x`` <-> ``b/x`` (``/dev/null`` and other values unchanged)."""
    if path.startswith("a/"):
        return "b/" + path[2:]
    if path.startswith("b/"):
        return "a/" + path[2:]
    return path


def tasks_from_rows(rows: Iterable[tuple[int, Mapping[str, Any] | BankError]], *, origin: str,
                    capability: str, source: str, skip_invalid_rows: bool = False) -> LoadResult:
    """Convert numbered SWE-bench rows (see ``collect_tasks``)."""
    def convert(row: Mapping[str, Any], number: int) -> Task:
        return task_from_row(row, origin=origin, number=number,
                             capability=capability, source=source)
    return collect_tasks(rows, origin=origin, convert=convert, known=READ_COLUMNS,
                         skip_invalid_rows=skip_invalid_rows)


def collect_tasks(rows: Iterable[tuple[int, Mapping[str, Any] | BankError]], *, origin: str,
                  convert: Callable[[Mapping[str, Any], int], Task], known: Collection[str],
                  skip_invalid_rows: bool = False) -> LoadResult:
    """Convert numbered rows (or the ``BankError`` of a row that could not be read).

    Ids must be unique. Every row is tried: without ``skip_invalid_rows`` any invalid row
    refuses the file with ``InvalidRows``; with it the valid rows load and the errors are in
    ``LoadResult.skipped``. Either way at least one row must be valid. Columns outside
    ``known`` are reported dropped.
    """
    tasks: list[Task] = []
    errors: list[BankError] = []
    seen: dict[str, int] = {}
    dropped: set[str] = set()
    for number, row in rows:
        if isinstance(row, BankError):
            errors.append(row)
            continue
        dropped.update(key for key in row if key not in known)
        try:
            task = convert(row, number)
            if task.instance_id in seen:
                raise BankError(origin, number, "instance_id", f"a unique id; "
                                f"{task.instance_id!r} is already row {seen[task.instance_id]}")
        except BankError as error:
            errors.append(error)
            continue
        seen[task.instance_id] = number
        tasks.append(task)
    if errors and not skip_invalid_rows:
        raise InvalidRows(tuple(errors))
    if not tasks:
        every = f"; all {len(errors)} rows are invalid, the first: {errors[0]}" if errors else ""
        raise BankError(origin, 1, "<file>", f"at least one valid row{every}")
    return LoadResult(origin=origin, tasks=tuple(tasks), dropped_columns=tuple(sorted(dropped)),
                      skipped=tuple(errors))


def load_swebench(source: str | Path, *, split: str = "test", capability: str = "navigation",
                  source_label: str | None = None, skip_invalid_rows: bool = False) -> LoadResult:
    """Load a ``.jsonl``, ``.json`` (list of rows) or ``.parquet`` file, or a Hugging Face
    dataset name (``princeton-nlp/SWE-bench_Verified``; needs ``datasets`` and the network
    or a cache, else ``ConfigError``).

    ``source_label`` is each task's ``source``; by default it is derived from the name
    (``swe-bench``, ``swe-bench-lite``, ``swe-bench-verified``, ``swe-bench-multilingual``,
    ``swe-smith`` ...). An invalid row refuses the file unless ``skip_invalid_rows``.
    """
    origin, rows = read_rows(source, split=split)
    label = source_label or source_name(origin, ("swe-bench", "swe-smith"))
    return tasks_from_rows(rows, origin=origin, capability=capability, source=label,
                           skip_invalid_rows=skip_invalid_rows)
