"""Localisation questions as answer-graded cases, on a small sdist served by a local index."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from generators.tasks.bank_spec import BankSpec, ProjectSpec
from generators.tasks.generate import generate_bank, write_bank
from generators.tasks.localisation_bank import generate_questions
from harness.bank import load_bank
from harness.capabilities.navigation import NAVIGATION
from harness.grading.answer import ExactAnswer, Location
from harness.results import Outcome, Submission
from harness.run_config import RunConfig
from harness.runner import play_and_grade
from harness.scoring import case_scores
from harness.task import Task
from harness.trajectory import Message, Trajectory
from harness.validation import check_case

PROJECT = {
    "mini/__init__.py": '"""Mini text tools."""\n',
    "mini/words.py": '''\
        """Word helpers."""


        def split_words(text):
            """Break a sentence into lowercase tokens separated by whitespace."""
            return text.lower().split()


        def count_words(text):
            """Return how many tokens a sentence holds after tokenisation."""
            return len(split_words(text))
        ''',
    "mini/report.py": '''\
        """Reports."""
        from mini.words import count_words, split_words


        def longest_word(text):
            """Pick the token with the greatest number of characters from a sentence."""
            return max(split_words(text), key=len)


        def summary(text):
            """Build a short human readable line describing the statistics of a sentence."""
            return f"{count_words(text)} words, longest {longest_word(text)}"
        ''',
    "mini/fmt.py": '''\
        """Formatting."""
        from mini.report import summary


        class Banner:
            """Frames text."""

            def frame(self, text):
                """Surround a line of prose with a border made of asterisks."""
                return self.border(text) + summary(text)

            def border(self, text):
                """Produce a row of asterisks as wide as the given line of prose."""
                return "*" * len(text)
        ''',
    "tests/test_words.py": "from mini.words import count_words\n\n\n"
                           "def test_count():\n    assert count_words('a b') == 2\n",
}
QUESTIONS = 6


def _spec(sha256: str) -> BankSpec:
    project = ProjectSpec(name="Mini_Text", version="0.3", sha256=sha256, cases=0,
                          questions=QUESTIONS, code=["mini/*.py"])
    return BankSpec(capability="navigation", seed=7, output="bank.jsonl", project=[project])


def _bank_bytes(spec: BankSpec, path: Path) -> bytes:
    generated = generate_bank(spec, "none", jobs=2)
    tasks, dropped = generated.tasks, generated.dropped
    assert dropped == []
    write_bank(tasks, path)
    return path.read_bytes()


def _publish(local_index) -> str:
    files = {path: textwrap.dedent(text) for path, text in PROJECT.items()}
    return local_index.publish("Mini_Text", "0.3", files)


@pytest.fixture
def two_answer_task(local_index) -> Task:
    """A generated case (not validated) whose answer has two locations."""
    plan = _spec(_publish(local_index)).projects[0].question_plan()
    return next(t for t in generate_questions(plan, "navigation", 7)
                if len(t.expected_answer) == 2)


def _final(task: Task, text: str) -> Trajectory:
    return Trajectory(instance_id=task.instance_id, model="test", messages=[
        Message(role="assistant", channel="final", content=text, turn=1)])


def grade_answer_text(task: Task, text: str) -> Outcome:
    """The answer grader's verdict on a final answer (it opens no sandbox)."""
    def no_sandbox() -> None:
        raise AssertionError("the answer grader needs no sandbox")

    return ExactAnswer().grade(task, Submission(answer=text), no_sandbox,  # type: ignore[arg-type]
                               timeout=1)


def test_a_questions_only_bank_is_reproducible_valid_and_loads(local_index, tmp_path,
                                                               monkeypatch) -> None:
    sha256 = _publish(local_index)
    first = _bank_bytes(_spec(sha256), tmp_path / "a.jsonl")
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "fresh-cache"))
    assert _bank_bytes(_spec(sha256), tmp_path / "b.jsonl") == first

    rows = [json.loads(line) for line in first.decode().splitlines()]
    assert len(rows) == QUESTIONS
    assert [row["instance_id"] for row in rows] == sorted(row["instance_id"] for row in rows)
    for row in rows:
        task = Task.model_validate(row)
        assert task.instance_id.startswith("mini-text-0.3-loc-")
        assert task.repo == "pypi/Mini_Text" and task.source == "generated:localisation"
        assert (task.patch, task.test_patch, task.FAIL_TO_PASS) == ("", "", [])
        assert task.repo_source.base_patch == "" and task.repo_source.delete == []
        assert "path/to/file.py::Qualified.name" in task.problem_statement
        locations = [Location.parse(text) for text in task.expected_answer]
        assert task.expected["files"] == sorted({loc.path for loc in locations})
        assert task.expected["symbols"] == sorted(
            {loc.path.removesuffix(".py").replace("/", ".") + "." + loc.qualname
             for loc in locations})
        check = check_case(task, runs=1)
        assert check.ok, check.problems

    tasks = load_bank(tmp_path / "a.jsonl").tasks
    assert [t.model_dump(exclude_defaults=True) for t in tasks] == rows
    write_bank(tasks, tmp_path / "again.jsonl")
    assert (tmp_path / "again.jsonl").read_bytes() == first


def test_answers_are_graded_exactly_with_precision_and_recall(two_answer_task: Task) -> None:
    task = two_answer_task
    right, other = task.expected_answer
    wrong = grade_answer_text(task, "mini/words.py::nowhere")
    assert not wrong.resolved
    assert wrong.scores == {"answer_precision": 0.0, "answer_recall": 0.0}
    assert "misses 2" in wrong.summary()

    partial = grade_answer_text(task, f"- `{right}`\n- mini/words.py::nowhere")
    assert not partial.resolved
    assert partial.scores == {"answer_precision": 0.5, "answer_recall": 0.5}
    assert partial.answer_missing == [other] and partial.answer_extra == [
        "mini/words.py::nowhere"]

    exact = grade_answer_text(task, f"{other}, and {right}.")
    assert exact.resolved and exact.summary().startswith("resolved")
    assert not grade_answer_text(task, "").resolved


def test_a_replayed_answer_runs_through_the_runner_and_scores(two_answer_task: Task,
                                                              tmp_path: Path) -> None:
    task = two_answer_task
    recorded = _final(task, task.expected_answer[0])
    replay = tmp_path / "replay.json"
    replay.write_text(recorded.model_dump_json())
    trajectory, outcome = play_and_grade(task, RunConfig(model=f"replay:{replay}"))
    assert not outcome.resolved and outcome.answer == task.expected_answer[0]
    assert case_scores(NAVIGATION, task, trajectory, outcome) == {
        "files_found": 0.0, "symbols_located": 0.0,
        "answer_precision": 1.0, "answer_recall": 0.5}

    trajectory, outcome = play_and_grade(task, RunConfig(model="oracle"))
    assert outcome.resolved and outcome.fail_to_pass == {}
    assert case_scores(NAVIGATION, task, trajectory, outcome) == {
        "files_found": 1.0, "symbols_located": 1.0,
        "answer_precision": 1.0, "answer_recall": 1.0}
