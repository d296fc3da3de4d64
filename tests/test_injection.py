"""Bug injection end to end on a small real sdist served by a local package index."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from generators.tasks.bank_spec import BankSpec, ProjectSpec, load_spec
from generators.tasks.generate import generate_bank, write_bank
from generators.tasks.injection import (
    ProjectPlan,
    across_files,
    function_id,
    measure_baseline,
    module_name,
    unstable_functions,
)
from harness.errors import ConfigError, SandboxError
from harness.sandbox.local import LocalSandbox
from harness.task import DEFAULT_TEST_COMMAND, PathSource, Task

PROJECT = {
    "pkg/__init__.py": '"""Small helpers."""\n',
    "pkg/mathx.py": (
        "def clamp(x, low, high):\n    if x < low:\n        return low\n"
        "    if x > high:\n        return high\n    return x\n\n\n"
        "def mean(values):\n    total = 0\n    for value in values:\n        total += value\n"
        "    return total / len(values)\n\n\n"
        "def sign(x):\n    if x > 0:\n        return 1\n    if x < 0:\n        return -1\n"
        "    return 0\n"),
    "pkg/textx.py": (
        "def pad(text, width):\n    missing = width - len(text)\n"
        "    return ' ' * missing + text if missing > 0 else text\n\n\n"
        "def initials(name):\n    return ''.join(word[0].upper() for word in name.split())\n"),
    "tests/test_mathx.py": (
        "from pkg.mathx import clamp, mean, sign\n\n\n"
        "def test_clamp():\n    assert clamp(5, 0, 10) == 5\n    assert clamp(-1, 0, 10) == 0\n"
        "    assert clamp(11, 0, 10) == 10\n\n\n"
        "def test_mean():\n    assert mean([1, 2, 3, 6]) == 3\n\n\n"
        "def test_sign():\n    assert [sign(-3), sign(0), sign(3)] == [-1, 0, 1]\n"),
    "tests/test_textx.py": (
        "from pkg.textx import initials, pad\n\n\n"
        "def test_pad():\n    assert pad('ab', 4) == '  ab'\n"
        "    assert pad('abcd', 2) == 'abcd'\n\n\n"
        "def test_initials():\n    assert initials('ada king lovelace') == 'AKL'\n"),
}


def _spec(sha256: str, seed: int) -> BankSpec:
    project = ProjectSpec(name="smallpkg", version="1.0", sha256=sha256, cases=3, combined=1,
                          code=["pkg/*.py"])
    return BankSpec(capability="navigation", seed=seed, output="bank.jsonl", project=[project])


def _bank_bytes(spec: BankSpec, path: Path) -> bytes:
    generated = generate_bank(spec, "none", jobs=1)
    tasks, dropped = generated.tasks, generated.dropped
    assert dropped == []
    write_bank(tasks, path)
    return path.read_bytes()


def test_same_seed_same_bytes_and_the_cases_are_valid(local_index, tmp_path, monkeypatch):
    """Generation validates each case (oracle resolves, null does not): none may be dropped."""
    sha256 = local_index.publish("smallpkg", "1.0", PROJECT)
    first = _bank_bytes(_spec(sha256, seed=1), tmp_path / "a.jsonl")
    monkeypatch.setenv("HARNESS_CACHE", str(tmp_path / "fresh-cache"))
    assert _bank_bytes(_spec(sha256, seed=1), tmp_path / "b.jsonl") == first

    tasks = [Task.model_validate_json(line) for line in first.decode().splitlines()]
    assert len(tasks) == 4
    assert [len(task.expected["files"]) for task in tasks].count(2) == 1, "one two-file bug"
    for task in tasks:
        assert task.FAIL_TO_PASS and task.repo_source.delete
        for path in task.expected["files"]:
            assert path not in task.problem_statement
            if "." in module_name(path):
                assert module_name(path) not in task.problem_statement
        with LocalSandbox(task.repo_source, expected_commit=task.base_commit) as box:
            for hidden in task.repo_source.delete:
                assert not (Path(box.workdir) / hidden).exists()


def test_a_bank_spec_error_names_the_file_and_field(tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text('capability = "navigation"\nseed = 1\noutput = "x.jsonl"\n\n'
                    '[[project]]\nname = "x"\nversion = "1"\nsha256 = "nope"\ncode = ["x.py"]\n')
    with pytest.raises(ConfigError, match=r"bad.toml: field 'project.0.sha256'"):
        load_spec(spec)


@pytest.mark.parametrize(("path", "module"), [
    ("src/pkg/mod.py", "pkg.mod"), ("pkg/__init__.py", "pkg"), ("parse.py", "parse"),
    ("toolz/curried/operator.py", "toolz.curried.operator")])
def test_module_names_follow_the_layout(path, module):
    assert module_name(path) == module


@given(st.dictionaries(st.sampled_from(["t.py::a", "t.py::b", "u.py::c"]),
                       st.lists(st.sets(st.sampled_from(["[0]", "[1]", "[x-2]", ""]),
                                        min_size=1), min_size=3, max_size=3)))
def test_unstable_functions_are_those_whose_ids_differ_between_runs(
        per_function: dict[str, list[set[str]]]) -> None:
    runs = [{name + suffix for name, sets in per_function.items() for suffix in sets[i]}
            for i in range(3)]
    expected = {name for name, sets in per_function.items()
                if not sets[0] == sets[1] == sets[2]}
    assert unstable_functions(runs) == expected


UNSTABLE_IDS = {
    "pkg/__init__.py": "",
    "tests/test_ids.py": (
        "import pytest\n\n\nclass Thing:\n    pass\n\n\n"
        "# A set of tuples holding None and objects: its order changes from process to\n"
        "# process, and the ids number the objects in that order (isodate's test_date.py).\n"
        "CASES = {(str(n), Thing(), None) for n in range(30)}\n\n\n"
        "@pytest.mark.parametrize('name,thing,nothing', CASES)\n"
        "def test_moving_ids(name, thing, nothing):\n    assert thing is not None\n\n\n"
        "@pytest.mark.parametrize('n', range(5))\n"
        "def test_fixed_ids(n):\n    assert n >= 0\n\n\n"
        "def test_plain():\n    assert True\n"),
}


def test_the_baseline_leaves_out_tests_whose_ids_move_between_runs(tmp_path: Path) -> None:
    (tmp_path / "proj").mkdir()
    for relative, text in UNSTABLE_IDS.items():
        (tmp_path / "proj" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "proj" / relative).write_text(text)
    source = PathSource(kind="path", path=str(tmp_path / "proj"))
    with LocalSandbox(source) as box:
        baseline = measure_baseline(box, DEFAULT_TEST_COMMAND)
    assert {function_id(t) for t in baseline.stable} == {
        "tests/test_ids.py::test_fixed_ids", "tests/test_ids.py::test_plain"}
    assert len(baseline.stable) == 6


def test_a_suite_that_cannot_run_says_why_and_what_to_do(tmp_path: Path) -> None:
    (tmp_path / "proj" / "tests").mkdir(parents=True)
    (tmp_path / "proj" / "tests" / "test_a.py").write_text("def test_a():\n    pass\n")
    (tmp_path / "proj" / "setup.cfg").write_text("[tool:pytest]\naddopts = --cov=proj\n")
    source = PathSource(kind="path", path=str(tmp_path / "proj"))
    with LocalSandbox(source) as box, pytest.raises(SandboxError) as raised:
        measure_baseline(box, DEFAULT_TEST_COMMAND)
    message = str(raised.value)
    assert "no test passes on the clean tree" in message
    assert "--cov" in message and "python_packages" in message


@given(st.lists(st.sampled_from(["a.py", "b.py", "c.py"]), max_size=30))
def test_candidates_are_taken_from_each_file_in_turn(paths: list[str]) -> None:
    from generators.tasks.mutations import Mutation
    mutations = [Mutation("flip_comparison", path, f"f{i}", i, "", "", "")
                 for i, path in enumerate(paths)]
    ordered = across_files(mutations)
    assert sorted(ordered, key=lambda m: m.line) == mutations
    for path in set(paths):  # each file's own order is kept
        assert [m for m in ordered if m.path == path] == [m for m in mutations if m.path == path]
    files = len(set(paths))
    assert len({m.path for m in ordered[:files]}) == files  # the first picks cover every file


def screening_project(tmp_path: Path, files: dict[str, str]) -> tuple[PathSource, ProjectPlan]:
    """A project of ``files`` under ``tmp_path``, and a plan to screen bugs in ``pkg/``."""
    for relative, text in files.items():
        (tmp_path / "proj" / relative).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / "proj" / relative).write_text(text)
    plan = ProjectPlan(name="proj", version="1", sha256="0" * 64, cases=1, combined=0,
                       code=("pkg/*.py",), test_command=DEFAULT_TEST_COMMAND,
                       python_packages=(), max_fail_to_pass=10)
    return PathSource(kind="path", path=str(tmp_path / "proj")), plan


LEAKY_STATE = {
    "pkg/__init__.py": "",
    "pkg/memo.py": ("_SEEN = {}\n\n\ndef remember(key):\n    _SEEN[key] = True\n"
                    "    if len(_SEEN) > 3:\n        _SEEN.clear()\n    return key\n\n\n"
                    "def seen(key):\n    return key in _SEEN\n"),
    "tests/test_memo.py": (
        "from pkg import memo\n\n\n"
        "def test_a_full_memo_is_emptied():\n    for key in 'abcde':\n"
        "        memo.remember(key)\n    assert len(memo._SEEN) <= 3\n\n\n"
        "def test_a_fresh_memo_has_seen_nothing():\n    assert not memo.seen('a')\n"),
}


def test_a_test_failing_only_after_others_is_no_fail_to_pass(tmp_path: Path) -> None:
    """The screen runs each failing test on its own (generators.tasks.pytest_alone): one
    that fails only because an earlier test left the bug's state behind is not a
    FAIL_TO_PASS, so a candidate's case does not depend on test order or timing."""
    from generators.tasks.injection import screen
    from generators.tasks.mutations import Mutation
    source, plan = screening_project(tmp_path, LEAKY_STATE)
    original = LEAKY_STATE["pkg/memo.py"]
    kept_state = Mutation("drop_statement", "pkg/memo.py", "remember", 7, "",
                          original, original.replace("        _SEEN.clear()\n", "        pass\n"))
    with LocalSandbox(source, environment=plan.screening_environment()) as box:
        baseline = measure_baseline(box, DEFAULT_TEST_COMMAND)
        suite = box.exec([*DEFAULT_TEST_COMMAND.split(), "-q"], timeout=120)
        assert suite.ok
        found = screen(box, plan, baseline, [kept_state])
        box.write_file("pkg/memo.py", kept_state.mutated.encode())
        in_order = box.exec([*DEFAULT_TEST_COMMAND.split(), "-q"], timeout=120).combined()
    assert "2 failed" in in_order, "in the suite, both tests fail under the bug"
    assert found is not None
    assert found.fail_to_pass == ("tests/test_memo.py::test_a_full_memo_is_emptied",)
    assert "len(memo._SEEN) <= 3" in found.messages[found.fail_to_pass[0]] or \
        "assert 5 <= 3" in found.messages[found.fail_to_pass[0]]
    assert "tests/test_memo.py::test_a_fresh_memo_has_seen_nothing" in found.passing


def test_alone_reports_each_test_as_pytest_would_and_a_crash_as_a_failure(
        tmp_path: Path) -> None:
    import subprocess
    import sys
    from xml.etree import ElementTree
    (tmp_path / "test_crash.py").write_text(
        "import os\n\nSTATE = []\n\n\n"
        "def test_leaves_state():\n    STATE.append(1)\n\n\n"
        "def test_sees_no_state():\n    assert STATE == [], 'state from an earlier test'\n\n\n"
        "def test_crashes():\n    os._exit(9)\n\n\n"
        "def test_fails():\n    assert 1 + 1 == 3\n")
    report = tmp_path / "junit.xml"
    done = subprocess.run([sys.executable, "-m", "pytest", "-p", "generators.tasks.pytest_alone",
                           "--alone", "-p", "no:cacheprovider", f"--junitxml={report}",
                           "-o", "junit_family=xunit1", str(tmp_path)],
                          capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr
    cases = {case.get("name"): case for case in ElementTree.parse(report).iter("testcase")}
    assert set(cases) == {"test_leaves_state", "test_sees_no_state", "test_crashes",
                          "test_fails"}
    assert not list(cases["test_sees_no_state"]), "run alone, it sees no earlier state"
    assert "wait status" in (cases["test_crashes"].find("failure").get("message") or "")
    assert "assert (1 + 1) == 3" in (cases["test_fails"].find("failure").get("message") or "")


RANDOM_MESSAGE = {
    "pkg/__init__.py": "",
    "pkg/draw.py": "import random\n\n\ndef pick():\n    return 1\n\n\ndef jitter():\n"
                   "    return random.random()\n",
    "tests/test_draw.py": "from pkg import draw\n\n\ndef test_pick():\n"
                          "    assert draw.pick() == 1\n",
}


def test_a_bug_whose_failure_reads_differently_each_run_is_not_kept(tmp_path: Path) -> None:
    """The second screen must show the same messages: a statement made of a message
    that changes from run to run would make the bank differ from one generation to the
    next."""
    from generators.tasks.injection import confirmed
    from generators.tasks.mutations import Mutation
    source, plan = screening_project(tmp_path, RANDOM_MESSAGE)
    original = RANDOM_MESSAGE["pkg/draw.py"]
    random_value = Mutation("change_constant", "pkg/draw.py", "pick", 5, "", original,
                            original.replace("return 1\n", "return random.random()\n", 1))
    fixed_value = Mutation("change_constant", "pkg/draw.py", "pick", 5, "", original,
                           original.replace("return 1\n", "return 2\n", 1))
    with LocalSandbox(source, environment=plan.screening_environment()) as box:
        baseline = measure_baseline(box, DEFAULT_TEST_COMMAND)
        assert confirmed(box, plan, baseline, [random_value]) is None
        kept = confirmed(box, plan, baseline, [fixed_value])
    assert kept is not None and kept.fail_to_pass == ("tests/test_draw.py::test_pick",)
