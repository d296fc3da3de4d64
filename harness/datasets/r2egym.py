"""R2E-Gym rows as ``Task`` objects (R2E-Gym-Lite, -Subset, -V1; R2E-Gym/SWE-Bench-*).

R2E-Gym's own rows (``R2E-Gym/R2E-Gym-Lite`` ...) map like this:

=========================  ==============================================================
column                     Task
=========================  ==============================================================
``repo_name``              ``repo`` (GitHub ``owner/name`` via ``R2E_REPOS``)
``commit_hash``            the fixing commit; ``instance_id = f"{repo_name}__{commit_hash}"``
``docker_image``           ``image``: the base state with its dependencies
``problem_statement``      ``problem_statement`` (the ``[ISSUE]...[/ISSUE]`` body if tagged)
``parsed_commit_content``  ``patch``: R2E-Gym's gold patch, the diffs of non-test ``.py``
                           files; ``base_commit`` (``old_commit_hash``); ``created_at``
                           (``commit_date``); ``repo_source`` (below)
``execution_result_content``  ``test_patch``: ``test_file_names``/``test_file_codes`` as new
                           files under ``r2e_tests/``; ``old_commit_res_stdout`` and
                           ``new_commit_res_stdout`` for the test lists (below)
``expected_output_json``   ``FAIL_TO_PASS``/``PASS_TO_PASS`` (below)
others                     dropped: ``modified_files``, ``relevant_files``,
                           ``modified_entity_summaries``, ``num_non_test_*`` (statistics) and
                           ``prompt`` (the issue-writing prompt; it contains the gold patch)
=========================  ==============================================================

R2E-Gym ships no test lists: its reward is 1 when the hidden tests' statuses equal
``expected_output_json`` (``{test key: PASSED|FAILED|ERROR}``, the key being the pytest node id
without its file, ``TestA.test_b``). The lists are derived from the row's own pre-fix log:
``FAIL_TO_PASS`` = expected ``PASSED`` and not passing in ``old_commit_res_stdout``;
``PASS_TO_PASS`` = expected ``PASSED`` and passing there. Tests expected to fail are not kept
(``Task`` has no list for them). Ids are written back as node ids
(``r2e_tests/test_1.py::TestA::test_b``) using the logs, so the harness can run them.

``repo_source`` is ``GitSource`` at ``old_commit_hash`` when that is a full sha; R2E-Gym may
store ``<sha>^`` instead, and then the source is the fixing commit with ``base_patch`` =
the whole commit reversed (a row with a binary diff cannot be reversed and is rejected).

Rows of SWE-bench shape (``R2E-Gym/SWE-Bench-Verified``, ``-Lite``: ``instance_id``,
``FAIL_TO_PASS`` ... plus ``docker_image``) go through ``swebench.task_from_row`` and keep
``docker_image`` as ``image``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from harness.datasets import _r2e_parts as parts
from harness.datasets._io import read_rows, text, validation_error
from harness.datasets.swebench import (
    READ_COLUMNS,
    LoadResult,
    collect_tasks,
    github_url,
    source_name,
    task_from_row,
)
from harness.errors import BankError
from harness.json_object import NotAJsonObject, json_object
from harness.task import GitSource, Task

R2E_REPOS: Mapping[str, str] = {
    "aiohttp": "aio-libs/aiohttp", "bokeh": "bokeh/bokeh", "coveragepy": "nedbat/coveragepy",
    "datalad": "datalad/datalad", "matplotlib": "matplotlib/matplotlib",
    "moto": "getmoto/moto", "mypy": "python/mypy", "numpy": "numpy/numpy",
    "orange3": "biolab/orange3", "pandas": "pandas-dev/pandas", "pillow": "python-pillow/Pillow",
    "pyramid": "Pylons/pyramid", "pytorch-lightning": "Lightning-AI/pytorch-lightning",
    "scrapy": "scrapy/scrapy", "statsmodels": "statsmodels/statsmodels", "sympy": "sympy/sympy",
    "tornado": "tornadoweb/tornado",
}
"""R2E-Gym's ``repo_name`` -> GitHub ``owner/name``.

The names are R2E-Gym's own: the ``RepoName`` enum of its package
(``src/r2egym/repo_analysis/repo_analysis_args.py``, the same list as ``repo_str_names`` in
``repo_analysis/constants.py``): sympy, pandas, numpy, scrapy, tornado, statsmodels, pillow,
pyramid, datalad, aiohttp, mypy, coveragepy, orange3, bokeh. The owners follow its
``repo_name_map`` (``repo_analysis/add_github_issue_to_commit.py``) where it has one, except
orange3, which it spells ``biolan/orange3``: the project is ``biolab/orange3``. The others
are the projects' public GitHub homes. ``matplotlib``, ``moto`` (listed here before) and
``pytorch-lightning`` are not in that enum: names the package does not confirm, mapped for
R2E-style rows that use them. Pass ``repos=`` to ``load_r2egym`` for any other name.
"""
R2E_COLUMNS = ("repo_name", "commit_hash", "docker_image", "problem_statement",
               "parsed_commit_content", "execution_result_content", "expected_output_json")
TESTS_DIR = "r2e_tests"
_SHA = re.compile(r"[0-9a-f]{40}")
_ISSUE = re.compile(r"\[ISSUE\](.*)\[/ISSUE\]", re.DOTALL)


def task_from_r2e_row(row: Mapping[str, Any], *, origin: str, number: int,
                      capability: str = "navigation", source: str = "r2e-gym",
                      repos: Mapping[str, str] = R2E_REPOS) -> Task:
    """One R2E-Gym row (either shape) as a ``Task``; a bad row raises ``BankError``."""
    if "instance_id" in row and "FAIL_TO_PASS" in row:
        task = task_from_row(row, origin=origin, number=number,
                             capability=capability, source=source)
        image = row.get("docker_image")
        return task.model_copy(update={"image": image}) if image and not task.image else task

    def fail(field: str, expected: str) -> BankError:
        return BankError(origin, number, field, expected)

    repo_name = text(row, "repo_name", origin, number)
    if repo_name not in repos:
        raise fail("repo_name", f"one of {', '.join(sorted(repos))} (pass repos= for others)")
    commit = text(row, "commit_hash", origin, number)
    if not _SHA.fullmatch(commit):
        raise fail("commit_hash", f"a full 40-hex commit sha, got {commit[:60]!r}")
    commit_info = _json_object(row, "parsed_commit_content", origin, number)
    execution = _json_object(row, "execution_result_content", origin, number)
    expected = _json_object(row, "expected_output_json", origin, number)
    old_log = execution.get("old_commit_res_stdout")
    if not isinstance(old_log, str):
        raise fail("execution_result_content.old_commit_res_stdout", "the pre-fix test log")
    fail_to_pass, pass_to_pass = split_tests(expected, old_log,
                                             str(execution.get("new_commit_res_stdout") or ""))
    if not fail_to_pass:
        raise fail("FAIL_TO_PASS", "must not be empty: no test of the row's logs fails before "
                   "the fix and passes after it")
    issue = text(row, "problem_statement", origin, number)
    tagged = _ISSUE.search(issue)
    url = github_url(repos[repo_name])
    try:
        diffs = list(commit_info["file_diffs"])
        patch = "".join(parts.render_diff(diff) for diff in diffs if _gold_file(diff))
        old_commit = str(commit_info.get("old_commit_hash") or "")
        if _SHA.fullmatch(old_commit):
            repo_source = GitSource(kind="git", url=url, commit=old_commit)
        else:
            undo = "".join(parts.render_diff(diff, reverse=True) for diff in diffs)
            repo_source = GitSource(kind="git", url=url, commit=commit, base_patch=undo)
    except (KeyError, TypeError, ValueError) as exc:
        raise fail("parsed_commit_content", f"R2E-Gym's ParsedCommit JSON ({exc!r})") from exc
    values = {
        "instance_id": f"{repo_name}__{commit}", "repo": repos[repo_name],
        "base_commit": old_commit if _SHA.fullmatch(old_commit) else "",
        "problem_statement": tagged.group(1) if tagged else issue,
        "patch": patch, "test_patch": _test_patch(execution, fail),
        "FAIL_TO_PASS": fail_to_pass, "PASS_TO_PASS": pass_to_pass,
        "created_at": str(commit_info.get("commit_date") or ""),
        "image": text(row, "docker_image", origin, number),
        "capability": capability, "source": source, "repo_source": repo_source,
    }
    try:
        return Task.model_validate(values)
    except ValidationError as exc:
        raise validation_error(exc, origin, number) from exc


def split_tests(expected: Mapping[str, Any], old_log: str,
                new_log: str = "") -> tuple[list[str], list[str]]:
    """``(FAIL_TO_PASS, PASS_TO_PASS)`` from R2E-Gym's expected statuses and pre-fix log."""
    before = parts.parse_summary(old_log)
    nodes = {key: node for key, (node, _) in {**before, **parts.parse_summary(new_log)}.items()}
    fail_to_pass: list[str] = []
    pass_to_pass: list[str] = []
    for raw_key, status in expected.items():
        key = parts.r2e_key(raw_key)
        if not key or status != "PASSED":
            continue
        passed_before = before.get(key, ("", ""))[1] == "PASSED"
        (pass_to_pass if passed_before else fail_to_pass).append(nodes.get(key, key))
    return fail_to_pass, pass_to_pass


def load_r2egym(source: str | Path, *, split: str = "train", capability: str = "navigation",
                source_label: str | None = None, repos: Mapping[str, str] = R2E_REPOS,
                skip_invalid_rows: bool = False) -> LoadResult:
    """Load R2E-Gym rows from a file or a dataset name (``R2E-Gym/R2E-Gym-Lite``).

    ``source_label`` defaults to the name (``r2e-gym-lite``, ``r2e-gym-swe-bench-verified``).
    A row that cannot become a task (R2E-Gym-V1 has rows without a problem statement)
    refuses the file, naming it and counting the others, unless ``skip_invalid_rows``: then
    the valid rows load and ``LoadResult.skipped`` holds the errors.
    """
    origin, rows = read_rows(source, split=split)
    label = source_label or source_name(origin, "r2e-gym")
    if label == "r2e-gym" and source_name(origin) != "swe-bench":
        label = f"r2e-gym-{source_name(origin)}"

    def convert(row: Mapping[str, Any], number: int) -> Task:
        return task_from_r2e_row(row, origin=origin, number=number, capability=capability,
                                 source=label, repos=repos)

    known = {*R2E_COLUMNS, *READ_COLUMNS}
    return collect_tasks(rows, origin=origin, convert=convert, known=known,
                         skip_invalid_rows=skip_invalid_rows)


def _gold_file(diff: Mapping[str, Any]) -> bool:
    path = str(diff["header"]["file"]["path"])
    return path.endswith(".py") and not parts.is_test_path(path)


def _test_patch(execution: Mapping[str, Any], fail: Callable[[str, str], BankError]) -> str:
    names, codes = execution.get("test_file_names"), execution.get("test_file_codes")
    if not (isinstance(names, list) and isinstance(codes, list) and names
            and len(names) == len(codes)
            and all(isinstance(item, str) for item in [*names, *codes])):
        raise fail("execution_result_content.test_file_names",
                   "test_file_names and test_file_codes: equal-length non-empty string lists")
    return "".join(parts.new_file_diff(_under_tests_dir(name), code)
                   for name, code in zip(names, codes, strict=True))


def _under_tests_dir(name: str) -> str:
    return name if name.startswith(f"{TESTS_DIR}/") else f"{TESTS_DIR}/{name}"


def _json_object(row: Mapping[str, Any], field: str, origin: str, number: int) -> dict[str, Any]:
    try:
        return json_object(row.get(field))
    except NotAJsonObject as exc:
        raise BankError(origin, number, field, str(exc)) from exc
