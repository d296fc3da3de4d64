"""Problem statements of generated cases: every bug shows, asserts carry their values,
difficulty tags, the bank card."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from generators.tasks.bank_card import DrawStats, bank_card, card_path_for
from generators.tasks.difficulty import difficulty, lint_detectable, named_by_tests
from generators.tasks.mutations import Mutation, candidate_mutations
from generators.tasks.statements import explain_assertion, listed_tests, scrub, write_statement
from harness.grading.junit import failure_details
from harness.task import PathSource, Task

test_ids = st.builds(lambda n, i: f"tests/test_{n}.py::test_{i}",
                     st.sampled_from("abc"), st.integers(0, 30))


@given(st.lists(st.lists(test_ids, min_size=1, max_size=12), min_size=1, max_size=4),
       st.lists(test_ids, max_size=10))
def test_every_bug_of_a_combined_case_has_a_listed_test(groups: list[list[str]],
                                                         more: list[str]) -> None:
    failures = {test: "" for group in groups for test in group} | {t: "" for t in more}
    listed = listed_tests(failures, groups)
    assert len(listed) == len(set(listed)) == min(6, len(failures))
    assert set(listed) <= set(failures)
    for group in groups:
        assert set(group) & set(listed), group
    assert listed == listed_tests(dict(reversed(list(failures.items()))), groups)


def test_a_combined_case_lists_its_second_bug_even_behind_many_tests() -> None:
    first = [f"tests/test_a.py::test_{i:02}" for i in range(10)]
    second = ["tests/test_z.py::test_only"]
    failures = {test: "AssertionError" for test in first + second}
    plain = write_statement("proj", failures, [], random.Random(1))
    assert "test_only" not in plain  # sorted order alone hides it
    statement = write_statement("proj", failures, [], random.Random(1), [first, second])
    assert "`test_only`" in statement and "`test_00`" in statement
    assert "... and 5 more" in statement


def _junit(tmp_path: Path, files: dict[str, str]) -> bytes:
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                    "-p", "no:harness", "--showlocals", "--junitxml=j.xml",
                    "-o", "junit_family=xunit1"], cwd=tmp_path, capture_output=True,
                   check=False)
    return (tmp_path / "j.xml").read_bytes()


def test_an_assert_pytest_did_not_rewrite_is_shown_with_its_values(tmp_path: Path) -> None:
    report = _junit(tmp_path, {
        "helpers.py": "def check(got, want):\n    total = got * 2\n"
                      "    assert total == want\n",
        "test_x.py": "from helpers import check\n\ndef test_helper():\n    check(3, 7)\n\n"
                     "def test_plain():\n    assert [1, 2] == [1, 3]\n"})
    details = failure_details(report)
    helper = explain_assertion(*details["test_x.py::test_helper"])
    assert helper == "AssertionError: `assert total == want` failed, where total = 6, want = 7"
    plain_message = details["test_x.py::test_plain"][0]
    assert explain_assertion(*details["test_x.py::test_plain"]) == plain_message
    assert "assert [1, 2] == [1, 3]" in plain_message


def test_a_bare_assertion_without_a_traceback_is_left_as_it_is() -> None:
    assert explain_assertion("AssertionError", "") == "AssertionError"
    assert explain_assertion("ValueError: bad", "> x()\nE ValueError") == "ValueError: bad"


def _mutation(path: str, symbol: str) -> Mutation:
    return Mutation("flip_comparison", path, symbol, 1, "", "", "")


def test_difficulty_tags() -> None:
    one = [_mutation("pkg/a.py", "Parser.parse_date")]
    two = [*one, _mutation("pkg/b.py", "render")]
    assert difficulty(one, ["tests/t.py::test_parse_date_iso[1]"]) == "easy"
    assert difficulty(one, ["tests/t.py::test_iso_week"]) == "medium"
    assert difficulty(two, ["tests/t.py::test_iso_week", "tests/t.py::test_output"]) == "hard"
    assert named_by_tests([_mutation("pkg/a.py", "_render_")], ["t.py::TestX::test_render"])
    assert not named_by_tests([_mutation("pkg/a.py", "f")], ["t.py::test_fast"])  # too short


def test_a_mutation_a_linter_flags_is_detectable() -> None:
    source = "import os\n\n\ndef f(x):\n    y = g(x)\n    return y + 1\n"
    found = {m.operator: lint_detectable(m) for m in candidate_mutations("a.py", source)}
    assert found["drop_statement"] is True  # `y` undefined
    assert found["swap_arithmetic"] is False


def test_the_bank_card_reports_operator_mix_difficulty_and_lint_share() -> None:
    def task(instance: str, level: str, files: list[str], grader: str = "tests") -> Task:
        return Task(instance_id=instance, repo="pypi/demo", base_commit="0" * 40,
                    problem_statement="x", version="1.0", difficulty=level, grader=grader,
                    patch="", test_patch="", FAIL_TO_PASS=[],
                    capability="navigation", source="generated:bug-injection",
                    repo_source=PathSource(kind="path", path="/nowhere"),
                    expected={"files": files, "symbols": []})
    tasks = [task("a", "easy", ["x.py"]), task("b", "medium", ["x.py"]),
             task("c", "hard", ["x.py", "y.py"]), task("q", "", [], grader="answer")]
    stats = DrawStats({"a": ("off_by_one",), "b": ("off_by_one",),
                       "c": ("flip_comparison", "drop_statement"), "gone": ("swap_min_max",)},
                      considered=40, lint_detectable=4)
    card = bank_card("demo.jsonl", "suites/x/demo.toml", 7, tasks, stats, dropped=1)
    assert card_path_for("demo.jsonl") == "demo.card.md"
    assert "| demo | 1.0 | 2 | 1 | 1 |" in card
    assert "| off_by_one | 2 | 50% |" in card and "swap_min_max" not in card
    assert "| easy | 1 | 33% |" in card and "| hard | 1 | 33% |" in card
    assert "4 of 40 drawn (10%)" in card and "validation: 1." in card
    assert card == bank_card("demo.jsonl", "suites/x/demo.toml", 7, tasks, stats, 1)
    assert "Kinds of case" not in card  # navigation's cases have none
    kinds = [task("k1", "hard", ["x.py", "y.py"]).model_copy(update={"expected": {
        "kind": "removed_feature", "files": ["x.py"]}}), task("k2", "medium", ["x.py"], "tdd")]
    card = bank_card("demo.jsonl", "suites/x/demo.toml", 7, kinds, stats, dropped=0)
    assert "| removed_feature | 1 | 50% |" in card and "| tdd | 1 | 50% |" in card


addresses = st.integers(0x7F0000000000, 0x7FFFFFFFFFFF).map(lambda n: f"{n:x}")


@given(addresses, addresses, st.sampled_from([
    "assert <Foo object at 0x{a}> == 3",
    "assert [(<test_itert...{tail}>), ()] == [(<test_itert...f2a{tail}>)]",
    "assert <test_dicttoo...x{a}> == <test_dicttoo...x{a}> Use -v to get more diff"]))
def test_statements_do_not_depend_on_memory_addresses(first: str, second: str,
                                                      form: str) -> None:
    """pytest prints object addresses whole or cut short; either way they change from run
    to run and must not reach the statement (banks rebuild byte-identically)."""
    def message(address: str) -> str:
        return form.format(a=address, tail=address[-7:])
    assert scrub(message(first), []) == scrub(message(second), [])
    assert first not in scrub(message(first), []) and first[-7:] not in scrub(message(first), [])
