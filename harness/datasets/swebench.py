"""SWE-bench rows as ``Task`` objects: full, Lite, Verified and same-shape sets (Multilingual ...).

Accepted schemas:

* classic, 12 columns: ``CLASSIC_COLUMNS``;
* SWE-bench 5.x, the classic ones plus ``V5_COLUMNS`` (``image``, ``eval_script``,
  ``log_parser``, ``eval_type``, ``difficulty``), all optional.

Every known column lands in the ``Task`` field of the same name. ``FAIL_TO_PASS`` and
``PASS_TO_PASS`` may be JSON text (the official files) or lists. Columns outside the two
schemas are dropped; ``LoadResult.dropped_columns`` lists the ones a file had, and
``IGNORED_COLUMNS`` documents those known to occur in public same-shape sets.

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
from harness.task import GitSource, Task

CLASSIC_COLUMNS = (
    "repo", "instance_id", "base_commit", "patch", "test_patch", "problem_statement",
    "hints_text", "created_at", "version", "FAIL_TO_PASS", "PASS_TO_PASS",
    "environment_setup_commit",
)
V5_COLUMNS = ("image", "eval_script", "log_parser", "eval_type", "difficulty")
KNOWN_COLUMNS = CLASSIC_COLUMNS + V5_COLUMNS

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


@dataclass(frozen=True)
class LoadResult:
    """Tasks read from one file or dataset, with the columns that were dropped."""

    origin: str
    tasks: tuple[Task, ...]
    dropped_columns: tuple[str, ...]


def github_url(repo: str) -> str:
    """The clone URL of an ``owner/name`` GitHub repository."""
    return f"https://github.com/{repo}.git"


def source_name(origin: str, prefix: str = "swe-bench") -> str:
    """``swe-bench-verified`` from ``SWE-bench_Verified.test.parquet`` or ``hf://x/SWE-bench_Verified``.

    The file or dataset name, lower-cased with ``_`` as ``-``; ``prefix`` if it does not
    start with ``prefix``.
    """
    base = origin.removeprefix("hf://").split("[", 1)[0]
    stem = base.replace("\\", "/").rsplit("/", 1)[-1].split(".", 1)[0].lower().replace("_", "-")
    return stem if stem.startswith(prefix) else prefix


def task_from_row(row: Mapping[str, Any], *, origin: str, number: int,
                  capability: str = "navigation", source: str = "swe-bench") -> Task:
    """One SWE-bench row as a ``Task``; a malformed row raises ``BankError`` naming the field."""
    values: dict[str, Any] = {field: text(row, field, origin, number) for field in REQUIRED_TEXT}
    values.update({field: text(row, field, origin, number, required=False)
                   for field in OPTIONAL_TEXT})
    values.update({field: string_list(row, field, origin, number) for field in TEST_LISTS})
    commit = values["base_commit"]
    if not _SHA.fullmatch(commit):
        raise BankError(origin, number, "base_commit",
                        f"a full 40-hex lowercase commit sha, got {commit[:60]!r}")
    values.update(capability=capability, source=source,
                  repo_source=GitSource(kind="git", url=github_url(values["repo"]), commit=commit))
    try:
        return Task.model_validate(values)
    except ValidationError as exc:
        raise validation_error(exc, origin, number) from exc


def tasks_from_rows(rows: Iterable[tuple[int, Mapping[str, Any]]], *, origin: str,
                    capability: str, source: str) -> LoadResult:
    """Convert numbered SWE-bench rows (see ``collect_tasks``)."""
    def convert(row: Mapping[str, Any], number: int) -> Task:
        return task_from_row(row, origin=origin, number=number,
                             capability=capability, source=source)
    return collect_tasks(rows, origin=origin, convert=convert, known=KNOWN_COLUMNS)


def collect_tasks(rows: Iterable[tuple[int, Mapping[str, Any]]], *, origin: str,
                  convert: Callable[[Mapping[str, Any], int], Task], known: Collection[str],
                  skipped: list[BankError] | None = None) -> LoadResult:
    """Convert numbered rows; ids must be unique and at least one row must convert.

    A row that fails raises its ``BankError``, or is appended to ``skipped`` when a list is
    given (the caller then holds every loss). Columns outside ``known`` are reported dropped.
    """
    tasks: list[Task] = []
    seen: dict[str, int] = {}
    dropped: set[str] = set()
    for number, row in rows:
        dropped.update(key for key in row if key not in known)
        try:
            task = convert(row, number)
            if task.instance_id in seen:
                raise BankError(origin, number, "instance_id", f"a unique id; "
                                f"{task.instance_id!r} is already row {seen[task.instance_id]}")
        except BankError as error:
            if skipped is None:
                raise
            skipped.append(error)
            continue
        seen[task.instance_id] = number
        tasks.append(task)
    if not tasks:
        raise BankError(origin, 1, "<file>", "at least one valid row")
    return LoadResult(origin=origin, tasks=tuple(tasks), dropped_columns=tuple(sorted(dropped)))


def load_swebench(source: str | Path, *, split: str = "test", capability: str = "navigation",
                  source_label: str | None = None) -> LoadResult:
    """Load a ``.jsonl``, ``.json`` (list of rows) or ``.parquet`` file, or a Hugging Face
    dataset name (``princeton-nlp/SWE-bench_Verified``; needs ``datasets`` and the network
    or a cache, else ``ConfigError``).

    ``source_label`` is each task's ``source``; by default it is derived from the name
    (``swe-bench``, ``swe-bench-lite``, ``swe-bench-verified``, ``swe-bench-multilingual`` ...).
    """
    origin, rows = read_rows(source, split=split)
    label = source_label or source_name(origin)
    return tasks_from_rows(rows, origin=origin, capability=capability, source=label)
