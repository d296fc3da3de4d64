"""SWT-Bench: SWE-bench rows seen as test generation.

The model gets the issue and the repository at ``base_commit`` and writes *tests*, not a
fix: its prediction's ``model_patch`` adds or changes test files. Grading is SWE-bench's
turned round. The gold code patch (``patch``) defines "before" and "after": the model's
tests run on the base state and again with the gold patch applied. A generated test is good
when it fails before the gold patch and passes after it (fail-to-pass); an instance is
resolved when the model's tests include at least one fail-to-pass test and none of them
fails after the gold patch. The gold tests (``test_patch``, whose ``FAIL_TO_PASS`` ids are
known to flip) are the reference the instance was validated with and the bar for SWT-Bench's
second metric, the coverage of the gold patch's changed lines by the generated tests.

SWT-Bench drops instances whose gold patches were not stable in its harness; the dropped
ids ship as ``filter_cases_{full,lite,verified}.txt`` (one id per line). SWT-Bench Verified
is SWE-bench Verified minus ``filter_cases_verified.txt``: 433 of 500 rows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from pathlib import Path

from harness.datasets._io import read_rows
from harness.datasets.swebench import LoadResult, source_name, tasks_from_rows
from harness.errors import ConfigError
from harness.task import Task


def swt_source_name(origin: str) -> str:
    """``swt-bench-verified`` for a SWE-bench (or SWT-bench) Verified file, and so on."""
    own = source_name(origin, "swt-bench")
    if own != "swt-bench":
        return own
    return "swt-bench" + source_name(origin, "swe-bench").removeprefix("swe-bench")


def load_swtbench(source: str | Path, *, split: str = "test", source_label: str | None = None,
                  skip_invalid_rows: bool = False, capability: str = "testing") -> LoadResult:
    """SWE-bench-shaped rows (SWE-bench or SWT-Bench files, or a dataset name) as testing tasks.

    Every task has ``capability`` ("testing" unless told); ``source`` is ``source_label`` or derived
    (``swt-bench``, ``swt-bench-lite``, ``swt-bench-verified``). No filter is applied here:
    see ``swt_bench``. An invalid row refuses the file unless ``skip_invalid_rows``.
    """
    origin, rows = read_rows(source, split=split)
    label = source_label or swt_source_name(origin)
    return tasks_from_rows(rows, origin=origin, capability=capability, source=label,
                           skip_invalid_rows=skip_invalid_rows)


def read_filter_ids(path: Path) -> frozenset[str]:
    """The instance ids of a SWT-Bench ``filter_cases_*.txt`` file."""
    try:
        content = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"cannot read SWT-Bench filter file {path}: {exc}") from exc
    return frozenset(line.strip() for line in content.splitlines() if line.strip())


def drop_filtered(tasks: Iterable[Task], filter_ids: frozenset[str]) -> list[Task]:
    """The tasks whose ids are not in ``filter_ids``, in their order."""
    return [task for task in tasks if task.instance_id not in filter_ids]


def swt_bench(source: str | Path, filter_file: Path, *, split: str = "test",
              source_label: str | None = None, skip_invalid_rows: bool = False,
              capability: str = "testing") -> LoadResult:
    """A SWT-Bench set: the SWE-bench rows of ``source`` minus the ids of ``filter_file``.

    ``swt_bench(verified_parquet, data / "filter_cases_verified.txt").tasks`` is SWT-Bench
    Verified (433 tasks); the lite and full filter files make the other two sets. With
    ``skip_invalid_rows``, ``skipped`` holds the invalid rows, filtered ids or not.
    """
    filter_ids = read_filter_ids(filter_file)
    loaded = load_swtbench(source, split=split, source_label=source_label,
                           skip_invalid_rows=skip_invalid_rows, capability=capability)
    return dataclasses.replace(loaded, tasks=tuple(drop_filtered(loaded.tasks, filter_ids)))
