"""Task banks (harness.task): loading JSONL, and errors that name file, line and field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.bank import load_bank, parse_row
from harness.errors import BankError, HarnessError
from harness.task import DEFAULT_TEST_COMMAND, Task


def make_row(instance_id: str = "demo__proj-1", **overrides: Any) -> dict[str, Any]:
    """A valid bank row as a plain dict (what a JSONL line decodes to)."""
    row: dict[str, Any] = {
        "instance_id": instance_id,
        "repo": "demo/proj",
        "problem_statement": "Calling frobnicate() with an empty list crashes.",
        "patch": "diff --git a/src/mod.py b/src/mod.py\n",
        "test_patch": "diff --git a/tests/test_mod.py b/tests/test_mod.py\n",
        "FAIL_TO_PASS": ["tests/test_mod.py::test_empty"],
        "PASS_TO_PASS": ["tests/test_mod.py::test_one"],
        "capability": "navigation",
        "source": "fixture",
        "repo_source": {"kind": "path", "path": "repos/proj"},
    }
    row.update(overrides)
    return row


def write_bank(path: Path, lines: list[str | dict[str, Any]]) -> Path:
    """Write rows (dicts are JSON-encoded, strings written verbatim) one per line."""
    text = "".join((json.dumps(line) if isinstance(line, dict) else line) + "\n"
                   for line in lines)
    path.write_text(text, encoding="utf-8")
    return path


def load_error(path: Path) -> BankError:
    with pytest.raises(BankError) as info:
        load_bank(path)
    return info.value


def assert_names(error: BankError, path: Path, line: int, field: str) -> None:
    message = str(error)
    assert str(path) in message
    assert f":{line}:" in message
    assert field in message
    assert (error.path, error.line, error.field) == (str(path), line, field)


# --- valid banks --------------------------------------------------------------------------


def test_valid_rows_load_in_order(tmp_path: Path) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl", [make_row("a"), make_row("b")])
    bank = load_bank(bank_path)
    assert [task.instance_id for task in bank.tasks] == ["a", "b"]
    assert set(bank.by_id()) == {"a", "b"}
    assert bank.path == bank_path
    assert bank.tasks[0].test_command == DEFAULT_TEST_COMMAND
    assert bank.tasks[0].PASS_TO_PASS == ["tests/test_mod.py::test_one"]


def test_bank_hash_follows_the_content(tmp_path: Path) -> None:
    first = load_bank(write_bank(tmp_path / "one.jsonl", [make_row("a")]))
    same = load_bank(write_bank(tmp_path / "two.jsonl", [make_row("a")]))
    other = load_bank(write_bank(tmp_path / "three.jsonl", [make_row("b")]))
    assert first.sha256 == same.sha256
    assert first.sha256 != other.sha256
    assert len(first.sha256) == 64


def test_test_lists_given_as_json_strings_are_parsed(tmp_path: Path) -> None:
    row = make_row(FAIL_TO_PASS=json.dumps(["t.py::test_a", "t.py::test_b[x y]"]),
                   PASS_TO_PASS="[]")
    task = load_bank(write_bank(tmp_path / "bank.jsonl", [row])).tasks[0]
    assert task.FAIL_TO_PASS == ["t.py::test_a", "t.py::test_b[x y]"]
    assert task.PASS_TO_PASS == []


def test_relative_repo_source_becomes_absolute_next_to_the_bank(tmp_path: Path) -> None:
    bank_dir = tmp_path / "suite"
    bank_dir.mkdir()
    bank_path = write_bank(bank_dir / "bank.jsonl",
                           [make_row(repo_source={"kind": "path", "path": "repos/../repos/proj"})])
    source = Path(load_bank(bank_path).tasks[0].repo_source.path)
    assert source.is_absolute()
    assert source == (bank_dir / "repos" / "proj").resolve()


def test_absolute_repo_source_is_kept(tmp_path: Path) -> None:
    elsewhere = str(tmp_path / "elsewhere" / "proj")
    bank_path = write_bank(tmp_path / "bank.jsonl",
                           [make_row(repo_source={"kind": "path", "path": elsewhere})])
    assert load_bank(bank_path).tasks[0].repo_source.path == elsewhere


def test_blank_lines_are_skipped(tmp_path: Path) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl", ["", make_row("a"), "   ", "\t", make_row("b")])
    assert [task.instance_id for task in load_bank(bank_path).tasks] == ["a", "b"]


def test_blank_lines_keep_line_numbers_right(tmp_path: Path) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl",
                           ["", make_row("a"), "", "", make_row("b", FAIL_TO_PASS=3)])
    assert_names(load_error(bank_path), bank_path, 5, "FAIL_TO_PASS")


# --- bad rows -----------------------------------------------------------------------------


def test_invalid_json(tmp_path: Path) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl", [make_row("a"), '{"instance_id": "b",'])
    error = load_error(bank_path)
    assert_names(error, bank_path, 2, "<row>")
    assert "JSON object" in str(error)


@pytest.mark.parametrize("line", ["[1, 2]", '"just text"', "42", "null"])
def test_a_row_that_is_not_an_object(tmp_path: Path, line: str) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl", [make_row("a"), line])
    error = load_error(bank_path)
    assert_names(error, bank_path, 2, "<row>")
    assert "JSON object" in str(error)


@pytest.mark.parametrize("field", ["patch", "instance_id", "FAIL_TO_PASS", "repo_source",
                                   "capability", "test_patch"])
def test_a_missing_required_field(tmp_path: Path, field: str) -> None:
    row = make_row("b")
    del row[field]
    bank_path = write_bank(tmp_path / "bank.jsonl", [make_row("a"), row])
    assert_names(load_error(bank_path), bank_path, 2, field)


def test_a_missing_nested_field_is_named_with_its_path(tmp_path: Path) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl", [make_row(repo_source={"kind": "path"})])
    assert_names(load_error(bank_path), bank_path, 1, "repo_source.path")


@pytest.mark.parametrize(("field", "value"), [
    ("FAIL_TO_PASS", 3),
    ("FAIL_TO_PASS", "not json ["),
    ("PASS_TO_PASS", {"a": 1}),
    ("patch", ["a list"]),
    ("setup_commands", "pip install -e ."),
])
def test_a_wrong_type(tmp_path: Path, field: str, value: Any) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl", [make_row(**{field: value})])
    assert_names(load_error(bank_path), bank_path, 1, field)


@pytest.mark.parametrize("value", [[], "[]"])
def test_an_empty_fail_to_pass_in_a_test_graded_row(tmp_path: Path, value: Any) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl", [make_row("a"), make_row("b"),
                                                     make_row("c", FAIL_TO_PASS=value)])
    assert_names(load_error(bank_path), bank_path, 3, "FAIL_TO_PASS")


@pytest.mark.parametrize("field", ["problem_statement", "patch", "instance_id"])
def test_an_empty_required_text(tmp_path: Path, field: str) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl", [make_row(**{field: ""})])
    assert_names(load_error(bank_path), bank_path, 1, field)


def test_an_unknown_extra_field(tmp_path: Path) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl", [make_row("a", priority="hard")])
    assert_names(load_error(bank_path), bank_path, 1, "priority")


def test_an_unknown_field_in_repo_source(tmp_path: Path) -> None:
    source = {"kind": "path", "path": "repos/proj", "branch": "main"}
    bank_path = write_bank(tmp_path / "bank.jsonl", [make_row(repo_source=source)])
    assert_names(load_error(bank_path), bank_path, 1, "repo_source.branch")


def test_a_duplicate_instance_id_names_both_lines(tmp_path: Path) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl",
                           [make_row("a"), "", make_row("dup"), make_row("b"), make_row("dup")])
    error = load_error(bank_path)
    assert_names(error, bank_path, 5, "instance_id")
    assert "'dup'" in str(error)
    assert "line 3" in str(error)


@pytest.mark.parametrize("content", ["", "\n\n  \n"], ids=["empty", "only blank lines"])
def test_an_empty_file(tmp_path: Path, content: str) -> None:
    bank_path = tmp_path / "bank.jsonl"
    bank_path.write_text(content, encoding="utf-8")
    error = load_error(bank_path)
    assert str(bank_path) in str(error)
    assert error.line == 1
    assert isinstance(error, HarnessError)


def test_the_first_bad_row_is_reported(tmp_path: Path) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl",
                           [make_row("a"), make_row("b", patch=""), "not json"])
    assert_names(load_error(bank_path), bank_path, 2, "patch")


@pytest.mark.parametrize("separator", ["\u2028", "\u2029", "\x85"])
def test_text_with_unicode_line_separators_survives_a_bank(tmp_path: Path,
                                                           separator: str) -> None:
    task = Task.model_validate(make_row(problem_statement=f"first{separator}second"))
    bank_path = tmp_path / "bank.jsonl"
    bank_path.write_text(task.model_dump_json() + "\n", encoding="utf-8")
    assert load_bank(bank_path).tasks[0].problem_statement == f"first{separator}second"


# --- round trip ---------------------------------------------------------------------------

some_text = st.text(max_size=40)
nonempty_text = st.text(min_size=1, max_size=40)
text_lists = st.lists(some_text, max_size=4)


@st.composite
def tasks(draw: st.DrawFn) -> Task:
    return Task(
        instance_id=draw(nonempty_text),
        repo=draw(nonempty_text),
        base_commit=draw(some_text),
        problem_statement=draw(nonempty_text),
        patch=draw(nonempty_text),
        test_patch=draw(nonempty_text),
        FAIL_TO_PASS=draw(st.lists(some_text, min_size=1, max_size=4)),
        PASS_TO_PASS=draw(text_lists),
        version=draw(some_text),
        environment_setup_commit=draw(some_text),
        hints_text=draw(some_text),
        created_at=draw(some_text),
        capability=draw(nonempty_text),
        source=draw(nonempty_text),
        repo_source={"kind": "path", "path": draw(some_text), "base_patch": draw(some_text)},
        setup_commands=draw(text_lists),
        test_command=draw(some_text),
        expected={"files": draw(text_lists), "symbols": draw(text_lists)},
    )


@given(tasks(), st.integers(min_value=1, max_value=10_000))
def test_any_task_round_trips_through_json(task: Task, number: int) -> None:
    assert parse_row(task.model_dump_json(), Path("bank.jsonl"), number) == task


# --- what the capability and its grader need -------------------------------------------


def answer_row(instance_id: str = "demo__proj-q1", **overrides: Any) -> dict[str, Any]:
    """A valid answer-graded row: empty patches and tests, and the expected locations."""
    row = make_row(instance_id, patch="", test_patch="", FAIL_TO_PASS=[], PASS_TO_PASS=[],
                   grader="answer")
    row["expected_answer"] = ["src/mod.py::frobnicate", "src/mod.py::Frob.run"]
    row.update(overrides)
    return row


def test_an_answer_row_may_leave_patches_and_tests_empty(tmp_path: Path) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl",
                           [answer_row(), answer_row("q2", patch="diff --git a/x b/x\n")])
    first, second = load_bank(bank_path).tasks
    assert first.expected_answer == ["src/mod.py::frobnicate", "src/mod.py::Frob.run"]
    assert (first.patch, first.test_patch, first.FAIL_TO_PASS) == ("", "", [])
    assert second.patch.startswith("diff")
    assert parse_row(first.model_dump_json(), bank_path, 1) == first


@pytest.mark.parametrize("field", ["patch", "test_patch", "FAIL_TO_PASS"])
def test_the_tests_grader_needs_its_patches_and_tests(tmp_path: Path, field: str) -> None:
    empty: Any = [] if field == "FAIL_TO_PASS" else ""
    bank_path = write_bank(tmp_path / "bank.jsonl",
                           [make_row("a"), make_row("b", **{field: empty})])
    error = load_error(bank_path)
    assert_names(error, bank_path, 2, field)
    assert f"field {field!r}: must not be empty" in str(error)
    assert "hidden tests" in str(error)


def test_the_answer_grader_needs_the_expected_locations(tmp_path: Path) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl", [answer_row(expected_answer=[])])
    error = load_error(bank_path)
    assert_names(error, bank_path, 1, "expected_answer")
    assert "must not be empty" in str(error)


def test_an_answer_row_without_its_grader_is_a_tests_row_missing_its_tests(
        tmp_path: Path) -> None:
    row = answer_row()
    del row["grader"]
    assert_names(load_error(write_bank(tmp_path / "bank.jsonl", [row])),
                 tmp_path / "bank.jsonl", 1, "patch")


def test_a_grader_the_capability_does_not_have(tmp_path: Path) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl", [make_row("a"), make_row("b", grader="vibes")])
    error = load_error(bank_path)
    assert_names(error, bank_path, 2, "grader")
    assert "navigation's graders (answer, tests)" in str(error) and "'vibes'" in str(error)


def test_an_unknown_capability_names_the_field_and_the_known_ones(tmp_path: Path) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl", [make_row("a", capability="telepathy")])
    error = load_error(bank_path)
    assert_names(error, bank_path, 1, "capability")
    assert "no capability named 'telepathy'" in str(error) and "navigation" in str(error)


@pytest.mark.parametrize(("expected", "field"), [
    ({"files": "calc/ops.py"}, "expected.files"),
    ({"symbols": [1]}, "expected.symbols.0"),
    ({"lines": [3]}, "expected.lines"),
])
def test_expectations_that_do_not_fit_the_capability_name_the_field(
        tmp_path: Path, expected: dict[str, Any], field: str) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl", [make_row("a", expected=expected)])
    assert_names(load_error(bank_path), bank_path, 1, field)


@pytest.mark.parametrize("answer", ["frobnicate", "/abs/mod.py::f", "./mod.py::f",
                                    "mod.py:f", "mod.py::", "mod.py::a b", "a.py::f::g"])
def test_a_malformed_expected_answer_names_the_field(tmp_path: Path, answer: Any) -> None:
    bank_path = write_bank(tmp_path / "bank.jsonl", [answer_row(expected_answer=[answer])])
    assert_names(load_error(bank_path), bank_path, 1, "expected_answer")
