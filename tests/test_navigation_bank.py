"""The committed navigation bank: enough real cases, hidden from solvers, in step with its specs."""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

import pytest

from generators.tasks.fixture_bank import derive_patches
from harness.bank import load_bank
from harness.grading.patches import touched_files
from harness.task import Task

SUITE = Path(__file__).resolve().parents[1] / "suites" / "navigation"
BANK = load_bank(SUITE / "bank.jsonl")
SPECS = {case["id"]: (path.stem, case) for path in sorted((SUITE / "specs").glob("*.toml"))
         for case in tomllib.loads(path.read_text())["case"]}


def test_the_bank_has_at_least_30_cases_over_at_least_3_repositories() -> None:
    assert len(BANK.tasks) >= 30
    assert len({task.repo for task in BANK.tasks}) >= 3
    assert {task.instance_id for task in BANK.tasks} == set(SPECS)


@pytest.mark.parametrize("task", BANK.tasks, ids=lambda t: t.instance_id)
def test_case_is_consistent_with_its_spec(task: Task) -> None:
    repo, spec = SPECS[task.instance_id]
    base_patch, gold_patch, test_patch = derive_patches(SUITE / "repos" / repo, spec, repo)
    assert (task.repo_source.base_patch, task.patch, task.test_patch) == \
           (base_patch, gold_patch, test_patch), "bank is stale: rebuild it from the specs"


@pytest.mark.parametrize("task", BANK.tasks, ids=lambda t: t.instance_id)
def test_problem_statement_does_not_name_the_file(task: Task) -> None:
    for path in task.expected["files"]:
        assert path not in task.problem_statement
        assert Path(path).name not in task.problem_statement
    assert set(task.expected["files"]) == set(touched_files(task.patch))


@pytest.mark.parametrize("task", BANK.tasks, ids=lambda t: t.instance_id)
def test_expected_symbols_exist_several_modules_deep(task: Task) -> None:
    root = Path(task.repo_source.path)
    for symbol in task.expected["symbols"]:
        module_path = next(f for f in task.expected["files"]
                           if symbol.startswith(f[:-3].replace("/", ".") + "."))
        assert module_path.count("/") >= 2, f"{module_path} is not several modules deep"
        qualname = symbol[len(module_path[:-3]) + 1:].split(".")
        tree = ast.parse((root / module_path).read_text())
        body: list[ast.stmt] = tree.body
        for part in qualname:
            node = next(n for n in body if getattr(n, "name", None) == part)
            body = getattr(node, "body", [])
