"""``harness tasks validate``: good cases pass; each way a case can be broken is named."""

from __future__ import annotations

from pathlib import Path

import pytest

from harness.cli import main
from harness.grading.answer import is_defined
from harness.task import Task
from harness.validation import check_case


def new_file_patch(path: str, text: str) -> str:
    lines = text.splitlines()
    body = "".join(f"+{line}\n" for line in lines)
    return (f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n"
            f"+++ b/{path}\n@@ -0,0 +1,{len(lines)} @@\n{body}")


def write_bank(path: Path, tasks: list[Task]) -> Path:
    path.write_text("".join(task.model_dump_json() + "\n" for task in tasks))
    return path


def test_a_good_case_passes(tiny_task: Task) -> None:
    check = check_case(tiny_task, runs=2)
    assert check.ok, check.problems
    assert not check.problems and not check.infra_error


def test_a_case_whose_failing_test_already_passes_is_broken(tiny_task: Task) -> None:
    passing = tiny_task.PASS_TO_PASS[0]
    task = tiny_task.model_copy(update={"FAIL_TO_PASS": [passing],
                                        "PASS_TO_PASS": tiny_task.PASS_TO_PASS[1:]})
    check = check_case(task, runs=1)
    assert not check.ok and not check.infra_error
    assert any("do not fail at the base state" in problem and passing in problem
               for problem in check.problems), check.problems


def test_hidden_tests_that_do_not_apply_make_a_broken_case_not_an_infra_error(
        tiny_task: Task) -> None:
    stale = ("diff --git a/tests/test_fmt.py b/tests/test_fmt.py\n--- a/tests/test_fmt.py\n"
             "+++ b/tests/test_fmt.py\n@@ -1,2 +1,2 @@\n-from calc.text import nothing\n"
             "+from calc.text import something\n \n")
    check = check_case(tiny_task.model_copy(update={"test_patch": stale}), runs=1)
    assert not check.ok
    assert check.infra_error == ""
    assert any("hidden test patch does not apply" in problem for problem in check.problems)


def test_a_flaky_case_is_caught_on_a_later_run(tiny_task: Task, tmp_path: Path) -> None:
    counter = tmp_path / "runs"
    flaky = new_file_patch("tests/test_flaky.py", (
        "from pathlib import Path\n\n\ndef test_every_other_run():\n"
        f"    counter = Path({str(counter)!r})\n"
        "    runs = int(counter.read_text()) if counter.exists() else 0\n"
        "    counter.write_text(str(runs + 1))\n"
        "    assert runs % 2 == 0\n"))
    task = tiny_task.model_copy(update={
        "test_patch": tiny_task.test_patch + flaky,
        "PASS_TO_PASS": [*tiny_task.PASS_TO_PASS, "tests/test_flaky.py::test_every_other_run"]})
    check = check_case(task, runs=3, isolation="none")
    assert not check.ok
    assert any("unresolved on grading 2" in problem for problem in check.problems)
    assert not any("grading 3" in problem for problem in check.problems)


def answer_case(tiny_task: Task, answer: list[str]) -> Task:
    return tiny_task.model_copy(update={
        "instance_id": "calc-where", "problem_statement": "Where is padding done?",
        "patch": "", "test_patch": "", "FAIL_TO_PASS": [], "PASS_TO_PASS": [],
        "expected_answer": answer, "grader": "answer"})


def test_an_answer_case_is_checked_against_the_base_state(tiny_task: Task) -> None:
    assert check_case(answer_case(tiny_task, ["calc/text/fmt.py::pad"]), runs=1).ok
    wrong = check_case(answer_case(tiny_task, ["calc/text/fmt.py::center",
                                               "calc/nowhere.py::pad"]), runs=1)
    assert not wrong.ok
    assert [p for p in wrong.problems if "is not defined at the base state" in p] == [
        "expected location calc/text/fmt.py::center is not defined at the base state",
        "expected location calc/nowhere.py::pad is not defined at the base state"]


@pytest.mark.parametrize(("qualname", "defined"), [
    ("Box", True), ("Box.size", True), ("Box.Inner.deep", True), ("helper", True),
    ("guarded", True), ("size", False), ("Box.helper", False), ("Box.Inner.size", False),
    ("helper.inner", True), ("missing", False)])
def test_is_defined_walks_nested_definitions(qualname: str, defined: bool) -> None:
    source = ("class Box:\n    def size(self):\n        return 1\n\n    class Inner:\n"
              "        def deep(self):\n            pass\n\n\ndef helper():\n"
              "    def inner():\n        pass\n\n\nif True:\n    try:\n"
              "        async def guarded():\n            pass\n    except Exception:\n"
              "        pass\n")
    assert is_defined(source, qualname) is defined


def test_cli_validate_exit_codes_and_summary(tiny_task: Task, tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    good = write_bank(tmp_path / "good.jsonl", [tiny_task])
    assert main(["tasks", "validate", str(good), "--runs", "1", "--isolation", "none"]) == 0
    assert "1 cases in 1 bank(s): 1 valid, 0 broken" in capsys.readouterr().out
    swapped = tiny_task.model_copy(update={"FAIL_TO_PASS": tiny_task.PASS_TO_PASS[:1]})
    bad = write_bank(tmp_path / "bad.jsonl", [swapped])
    assert main(["tasks", "validate", str(bad), "--runs", "1", "--isolation", "none"]) == 1
    captured = capsys.readouterr()
    assert f"BROKEN {tiny_task.instance_id}" in captured.out + captured.err


def test_cli_list_counts_cases_per_project(tiny_task: Task, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    bank = write_bank(tmp_path / "bank.jsonl", [tiny_task])
    assert main(["tasks", "list", str(bank), "--ids"]) == 0
    out = capsys.readouterr().out
    assert f"{bank}: 1 cases (navigation)" in out
    assert f"{tiny_task.repo} 1" in out and tiny_task.instance_id in out
