"""The committed PyPI bank: enough bug cases from real projects, hidden and pinned, and
localisation questions whose answers are real definitions."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from generators.tasks.bank_card import card_path_for
from generators.tasks.bank_spec import load_spec
from generators.tasks.module_names import module_name
from harness.bank import load_bank
from harness.grading import patches
from harness.grading.answer import is_defined, parse_answer
from harness.sources import source_tree
from harness.task import PypiSource, Task

SUITE = Path(__file__).resolve().parents[1] / "suites" / "navigation"
SPEC = load_spec(SUITE / "pypi.toml")
BANK = load_bank(SUITE / SPEC.output)
PINS = {(p.name, p.version): p.sha256 for p in SPEC.projects}
BUGS = [task for task in BANK.tasks if not task.expected_answer]
QUESTIONS = [task for task in BANK.tasks if task.expected_answer]


def test_the_bank_has_at_least_100_cases_from_at_least_4_projects() -> None:
    per_project = Counter(task.repo for task in BUGS)
    assert len(BUGS) >= 100
    assert len(per_project) >= 4
    assert sum(len(task.expected["files"]) > 1 for task in BUGS) >= 5, "combined bugs"


def test_the_bank_asks_localisation_questions_of_every_project() -> None:
    asked = Counter(task.repo for task in QUESTIONS)
    assert set(asked) == {task.repo for task in BUGS}


def test_the_card_describes_the_committed_bank() -> None:
    card = (SUITE / card_path_for(SPEC.output)).read_text(encoding="utf-8")
    combined = sum(len(task.expected["files"]) > 1 for task in BUGS)
    assert f"| **all** |  | {len(BUGS) - combined} | {combined} | {len(QUESTIONS)} |" in card
    levels = Counter(task.difficulty for task in BUGS)
    assert set(levels) <= {"easy", "medium", "hard"}
    for level, count in levels.items():
        assert f"| {level} | {count} |" in card
    assert "in the bank: 0." in card


@pytest.mark.parametrize("task", BUGS, ids=lambda t: t.instance_id)
def test_case_is_pinned_hidden_and_consistent(task: Task) -> None:
    source = task.repo_source
    assert isinstance(source, PypiSource)
    assert PINS[(source.name, source.version)] == source.sha256
    assert task.capability == SPEC.capability
    hidden = sorted(patches.test_files_of(task.FAIL_TO_PASS))
    assert source.delete == hidden
    assert sorted(patches.touched_files(task.test_patch)) == hidden
    assert sorted(patches.touched_files(task.patch)) == task.expected["files"]
    assert sorted(patches.touched_files(source.base_patch)) == task.expected["files"]
    assert set(patches.test_files_of(task.PASS_TO_PASS)) <= set(hidden)
    assert not set(task.FAIL_TO_PASS) & set(task.PASS_TO_PASS)


@pytest.mark.parametrize("task", BUGS, ids=lambda t: t.instance_id)
def test_problem_statement_names_neither_file_nor_module(task: Task) -> None:
    for path in task.expected["files"]:
        assert path not in task.problem_statement
        if "." in module_name(path):
            assert module_name(path) not in task.problem_statement
    assert task.FAIL_TO_PASS[0].split("::", 1)[-1] in task.problem_statement


@pytest.mark.parametrize("task", QUESTIONS, ids=lambda t: t.instance_id)
def test_question_answers_name_real_definitions(task: Task) -> None:
    source = task.repo_source
    assert isinstance(source, PypiSource) and not source.base_patch and not source.delete
    assert PINS[(source.name, source.version)] == source.sha256
    tree = source_tree(source)
    for location in parse_answer("\n".join(task.expected_answer)):
        source_text = (tree / location.path).read_text(encoding="utf-8")
        assert is_defined(source_text, location.qualname), location
    assert not task.patch and not task.FAIL_TO_PASS
