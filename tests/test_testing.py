"""The testing capability: written tests graded both ways, flaky and redundant tests, the
coverage gap, each scorer signal."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from episodes import scores_of
from hypothesis import given
from hypothesis import strategies as st

from generators.tasks.testing_cases import function_lines, variant_for
from harness.bank import Bank, load_bank
from harness.capabilities.testing import written_test_scores
from harness.grading.test_quality import assertions, new_assertions, redundant_share
from harness.grading.written_tests import RunRecord, WrittenTests, flaky_tests
from harness.results import Outcome, Submission
from harness.run_config import RunConfig
from harness.runner import open_sandbox
from harness.task import Task
from harness.trajectory import Step, Trajectory

REPO_ROOT = Path(__file__).resolve().parent.parent
BANK = REPO_ROOT / "suites" / "testing" / "pypi.jsonl"


def new_file(path: str, text: str) -> str:
    lines = text.splitlines()
    body = "".join(f"+{line}\n" for line in lines)
    return (f"diff --git a/{path} b/{path}\nnew file mode 100644\n--- /dev/null\n+++ b/{path}\n"
            f"@@ -0,0 +1,{len(lines)} @@\n{body}")


CLAMP_TESTS = ("from calc.ops.arith import clamp\n\n\ndef test_clamp_high():\n"
               "    assert clamp(50, 0, 10) == 10\n")


def as_testing(task: Task, grader: str, **update: object) -> Task:
    expected = {"files": task.expected["files"], "symbols": task.expected["symbols"]}
    return task.model_copy(update={"capability": "testing", "grader": grader,
                                   "expected": expected, **update})


def grade(task: Task, patch: str) -> Outcome:
    opener = open_sandbox(task, RunConfig(model="oracle"))
    return WrittenTests(task.grader).grade(task, Submission(patch=patch), opener,  # type: ignore[arg-type]
                                           timeout=120)


@pytest.fixture(scope="module")
def clamp(tiny_bank: Bank) -> Task:
    return as_testing(tiny_bank.by_id()["calc-002"], "reproduction")


def test_a_test_that_fails_before_the_fix_and_passes_after_resolves(clamp: Task) -> None:
    graded = grade(clamp, new_file("tests/test_clamp_new.py", CLAMP_TESTS))
    assert graded.resolved, graded.failure
    assert graded.scores["fail_to_x"] == 1.0 and graded.scores["flaky"] == 0.0
    assert graded.scores["coverage_delta"] == 1.0
    assert graded.fail_to_pass == {"tests/test_clamp_new.py::test_clamp_high": "passed"}


def test_a_test_that_passes_either_way_does_not(clamp: Task) -> None:
    passing = CLAMP_TESTS.replace("clamp(50, 0, 10) == 10", "clamp(5, 0, 10) == 5")
    graded = grade(clamp, new_file("tests/test_clamp_new.py", passing))
    assert not graded.resolved and graded.scores["fail_to_x"] == 0.0


def test_a_test_that_fails_with_the_fix_does_not(clamp: Task) -> None:
    wrong = CLAMP_TESTS.replace("== 10", "== 11")
    graded = grade(clamp, new_file("tests/test_clamp_new.py", wrong))
    assert not graded.resolved and "fail with the gold fix" in graded.failure


def test_a_flip_flopping_test_is_flaky_and_never_counts(clamp: Task) -> None:
    flaky = ("import pathlib\nfrom calc.ops.arith import clamp\n\n\ndef test_clamp_high():\n"
             "    marker = pathlib.Path(__file__).with_name('ran-before')\n"
             "    first = not marker.exists()\n    marker.write_text('x')\n"
             "    assert clamp(50, 0, 10) == 10 or not first\n")
    graded = grade(clamp, new_file("tests/test_clamp_new.py", flaky))
    assert graded.scores["flaky"] == 1.0
    assert not graded.resolved and "flaky" in graded.failure


def test_code_and_runner_changes_are_put_back_before_the_tests_run(clamp: Task) -> None:
    conftest = new_file("tests/conftest.py", "import pytest\n\n\ndef pytest_runtest_setup(item):"
                                             "\n    pytest.skip('no')\n")
    graded = grade(clamp, clamp.patch + conftest + new_file("tests/test_clamp_new.py",
                                                            CLAMP_TESTS))
    assert graded.resolved, graded.failure  # judged on the original code, conftest gone
    assert {"calc/ops/arith.py", "tests/conftest.py"} <= set(graded.dropped)


def test_a_patch_without_tests_is_refused(clamp: Task) -> None:
    graded = grade(clamp, clamp.patch)
    assert not graded.resolved and "no test file" in graded.failure
    assert not grade(clamp, "").resolved


def test_tdd_needs_the_test_and_the_fix(clamp: Task) -> None:
    tdd = clamp.model_copy(update={"grader": "tdd"})
    tests = new_file("tests/test_clamp_new.py", CLAMP_TESTS)
    both = grade(tdd, tests + clamp.patch)
    assert both.resolved and both.scores["fix_resolved"] == 1.0
    only_tests = grade(tdd, tests)
    assert not only_tests.resolved and only_tests.scores["fix_resolved"] == 0.0


def test_a_coverage_gap_needs_passing_tests_that_reach_and_guard_the_function(
        clamp: Task) -> None:
    source = clamp.repo_source.model_copy(update={"base_patch": ""})
    lines = function_lines(Path(source.path, "calc/ops/arith.py").read_text(), "clamp")
    assert lines is not None
    gap = clamp.model_copy(update={
        "grader": "coverage_gap", "repo_source": source, "base_commit": "", "patch": "",
        "expected": {
            "function": "calc.ops.arith.clamp", "path": "calc/ops/arith.py",
            "lines": list(lines), "mutant": clamp.repo_source.base_patch}})
    good = grade(gap, new_file("tests/test_clamp_new.py", CLAMP_TESTS))
    assert good.resolved, good.failure
    # of the six statements (the def runs at import either way): both tests, the early
    # return of high
    assert good.scores["mutant_caught"] == 1.0 and good.scores["coverage_delta"] == 0.5
    weak = CLAMP_TESTS.replace("clamp(50, 0, 10) == 10", "clamp(5, 0, 10) == 5")
    graded = grade(gap, new_file("tests/test_clamp_new.py", weak))
    assert not graded.resolved and graded.scores["mutant_caught"] == 0.0
    elsewhere = "from calc.ops.arith import sub\n\n\ndef test_sub():\n    assert sub(3, 1) == 2\n"
    graded = grade(gap, new_file("tests/test_sub_new.py", elsewhere))
    assert not graded.resolved and graded.scores["coverage_delta"] == 0.0


def test_an_assertion_the_repository_already_makes_is_redundant(clamp: Task) -> None:
    copied = ("from calc.ops.arith import add\n\n\ndef test_add_again():\n"
              "    assert add(2, 3) == 5\n")
    graded = grade(clamp, new_file("tests/test_clamp_new.py", CLAMP_TESTS + "\n\n" + copied))
    assert graded.scores["redundant"] == 0.5


expressions = st.sampled_from(["x == 1", "f(a) is None", "not y", "a < b", "'s' in t"])


@given(st.lists(expressions, max_size=5), st.lists(expressions, max_size=5))
def test_new_assertions_are_those_beyond_the_files_old_version(old: list[str],
                                                               added: list[str]) -> None:
    before = "".join(f"def test_{i}():\n    assert {e}\n" for i, e in enumerate(old))
    after = before + "".join(f"def test_n{i}():\n    assert   ({e})\n"
                             for i, e in enumerate(added))
    found = new_assertions(before, after)
    assert len(found) == len(added)
    share = redundant_share(found, [before])
    assert share == (sum(e in old for e in added) / len(added) if added else 0.0)


def test_unittest_assertions_count_and_broken_source_has_none() -> None:
    assert len(assertions("self.assertEqual(f(1), 2)\nassert x")) == 2
    assert assertions("def broken(:\n") == {}


@given(st.lists(st.dictionaries(st.sampled_from(["a", "b", "c"]),
                                st.sampled_from(["PASSED", "FAILED"])), min_size=1, max_size=3))
def test_a_test_is_flaky_when_its_status_is_not_the_same_in_every_run(
        runs: list[dict[str, str]]) -> None:
    records = [RunRecord(statuses=run) for run in runs]
    flaky = flaky_tests(records)
    for test in "abc":
        seen = {run.get(test) for run in runs}
        assert (test in flaky) == (len(seen) > 1)


@given(st.integers(0, 20), st.integers(0, 5), st.integers(0, 5))
def test_variants_are_coverage_gaps_then_tdd_then_reproduction(index: int, gaps: int,
                                                               tdd: int) -> None:
    variant = variant_for(index, gaps, tdd)
    expected = ("coverage_gap" if index < gaps else "tdd" if index < gaps + tdd
                else "reproduction")
    assert variant == expected


def test_function_lines_find_methods_and_nested_functions() -> None:
    source = ("class K:\n    @property\n    def m(self):\n        return 1\n\n\n"
              "def outer():\n    def inner():\n        return 2\n    return inner\n")
    assert function_lines(source, "K.m") == (2, 4)
    assert function_lines(source, "outer.inner") == (8, 9)
    assert function_lines(source, "K") is None and function_lines(source, "nope") is None
    ast.parse(source)


def step(turn: int, tool: str, patch: str = "") -> Step:
    return Step(turn=turn, tool=tool, arguments={"patch": patch} if patch else {}, seconds=0)


@given(st.lists(st.sampled_from(["test", "code", "run"]), max_size=8), st.sampled_from(
    ["reproduction", "tdd", "coverage_gap"]))
def test_tested_first_and_ran_own_tests(moves: list[str], grader: str) -> None:
    steps = [step(i, "run_tests") if move == "run" else step(i, "apply_patch", new_file(
        "tests/test_x.py" if move == "test" else "calc/x.py", "x = 1")) for i, move in
        enumerate(moves)]
    task = Task(instance_id="t", repo="r", problem_statement="p", patch="", test_patch="",
                FAIL_TO_PASS=[], capability="testing", source="test", grader=grader,
                repo_source={"kind": "path", "path": "."})
    scores = written_test_scores(task, Trajectory(instance_id="t", model="m", steps=steps),
                            Outcome(resolved=False, patch_applied=True, candidate_patch=""))
    tests = [i for i, m in enumerate(moves) if m == "test"]
    code = [i for i, m in enumerate(moves) if m == "code"]
    assert scores["ran_own_tests"] == float(bool(tests) and any(
        m == "run" and i > max(tests) for i, m in enumerate(moves)))
    if grader == "tdd":
        assert scores["tested_first"] == float(bool(tests) and (not code or tests[0] < code[0]))
    else:
        assert "tested_first" not in scores


def test_the_bank_has_every_kind_from_five_projects_or_more() -> None:
    tasks = load_bank(BANK).tasks
    assert len(tasks) >= 60
    assert len({task.repo for task in tasks}) >= 5
    assert {task.grader for task in tasks} == {"reproduction", "tdd", "coverage_gap"}


@pytest.mark.slow
def test_the_oracle_outscores_the_tiny_model_on_real_cases(tiny_checkpoint: Path) -> None:
    tasks = load_bank(BANK).tasks
    for grader in ("reproduction", "coverage_gap"):
        task = next(t for t in tasks if t.grader == grader)
        oracle = scores_of(task, "oracle", max_turns=30)
        tiny = scores_of(task, f"hf:{tiny_checkpoint}?max_new_tokens=24")
        assert oracle["resolved"] == 1.0 and tiny["resolved"] == 0.0
        assert oracle["ran_own_tests"] > tiny["ran_own_tests"]
        assert oracle["coverage_delta"] > tiny.get("coverage_delta", 0.0)


def test_tests_skipped_before_the_fix_reproduce_nothing(clamp: Task) -> None:
    skipping = ("import pytest\nfrom calc.ops.arith import clamp\n\n\ndef test_clamp_high():\n"
                "    if clamp(50, 0, 10) == 50:\n        pytest.skip('as recorded')\n"
                "    assert clamp(50, 0, 10) == 10\n")
    graded = grade(clamp, new_file("tests/test_clamp_new.py", skipping))
    assert not graded.resolved


@pytest.mark.parametrize("reading", [
    "import pathlib\n\n\ndef test_fixed():\n"
    "    assert 'return high' in pathlib.Path('calc/ops/arith.py').read_text()\n",
    "import inspect\nfrom calc.ops import arith\n\n\ndef test_fixed():\n"
    "    assert 'x > high' in inspect.getsource(arith.clamp)\n",
    "from calc.ops import arith\n\n\ndef test_fixed():\n"
    "    with open(arith.__file__) as handle:\n        assert 'high' in handle.read()\n",
    "import tokenize\n\n\ndef test_fixed():\n"
    "    with tokenize.open('calc/ops/arith.py') as handle:\n"
    "        assert 'return high' in handle.read()\n",
], ids=["read_text", "getsource", "open", "tokenize"])
def test_tests_that_read_the_code_instead_of_running_it_never_count(
        clamp: Task, reading: str) -> None:
    """Each fails on the bug and passes with the fix, by the code's text: the channel's
    audit hook sees the test open the file of the fix."""
    graded = grade(clamp, new_file("tests/test_clamp_new.py", reading))
    assert not graded.resolved
    assert "read the code's text" in graded.failure and "calc/ops/arith.py" in graded.failure


def test_a_test_whose_result_follows_the_code_text_is_caught_by_the_comment(
        clamp: Task) -> None:
    """Reading the text through git (no open in the test process) changes its result when
    a comment is added to the code."""
    reading = ("import subprocess\n\n\ndef test_fixed():\n"
               "    shown = subprocess.run(['git', 'diff', '--stat'], capture_output=True,\n"
               "                           text=True).stdout\n"
               "    assert 'arith.py' in shown\n")
    graded = grade(clamp, new_file("tests/test_clamp_new.py", reading))
    assert not graded.resolved and "comment is added" in graded.failure, graded.failure


def test_imports_tracebacks_and_warnings_inside_a_test_are_no_reading(clamp: Task) -> None:
    lazy = ("import traceback\nimport warnings\n\n\ndef test_clamp_high():\n"
            "    from calc.ops import arith\n    warnings.warn('checked')\n    try:\n"
            "        arith.clamp(50, 'low', 10)\n    except TypeError:\n"
            "        assert 'clamp' in traceback.format_exc()  # source lines of arith.py\n"
            "    assert arith.clamp(50, 0, 10) == 10\n")
    graded = grade(clamp, new_file("tests/test_clamp_new.py", lazy))
    assert graded.resolved, graded.failure


def test_tampering_in_written_tests_is_never_resolved(clamp: Task) -> None:
    tampering = CLAMP_TESTS + "\n\ndef pytest_runtest_makereport(item, call):\n    pass\n"
    graded = grade(clamp, new_file("tests/test_clamp_new.py", tampering))
    assert not graded.resolved and graded.failure_kind == "tampering"


def test_a_test_skipped_either_way_is_left_out(clamp: Task) -> None:
    platform_skip = ("import pytest\n\n\n@pytest.mark.skip(reason='not on this platform')\n"
                     "def test_elsewhere():\n    assert False\n")
    graded = grade(clamp, new_file("tests/test_clamp_new.py", CLAMP_TESTS + "\n\n"
                                   + platform_skip))
    assert graded.resolved, graded.failure



def test_swe_bench_rows_read_as_swt_cases_and_generated_banks_as_they_are(
        shared_data: Path) -> None:
    """The testing suite runs SWT-Bench rows too (graded by 'swt', with the row's runner as
    run_tests), beside its own generated bank."""
    from harness.capabilities import get_capability
    from harness.capabilities.swt_bench import SWT_BENCH
    verified = shared_data / "swe-bench" / "SWE-bench_Verified.test.parquet"
    if not verified.is_file():
        pytest.skip(f"SWE-bench data not found under {shared_data}")
    testing = get_capability("testing")
    assert testing.read_bank is not None
    source = f"{verified}?exclude={shared_data / 'swt-bench' / 'filter_cases_verified.txt'}"
    tasks = testing.read_bank(source).tasks
    assert len(tasks) == 433, "SWT-Bench Verified"
    assert {(task.capability, task.grader) for task in tasks} == {("testing", "swt")}
    task = tasks[0]
    testing.check(task)
    swt_runner = SWT_BENCH.tools(task)["run_tests"].spec.description
    assert testing.tools(task)["run_tests"].spec.description == swt_runner
    assert "fail on the code as it is now" in testing.task_prompt(task)
    generated = testing.read_bank(str(BANK))
    assert generated.tasks == load_bank(BANK).tasks
    assert {t.grader for t in generated.tasks} <= {"reproduction", "tdd", "coverage_gap"}
    assert testing.tools(generated.tasks[0])["run_tests"].spec.description != swt_runner
