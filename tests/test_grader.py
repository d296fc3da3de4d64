"""The grader on real candidate patches: what resolves, what does not, and what is restored."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from harness.errors import GradingError
from harness.grading import grade
from harness.grading.pytest_run import run_under_channel
from harness.sandbox.environments import DEFAULT_PACKAGES, EnvSpec
from harness.sandbox.local import LocalSandbox
from harness.task import DEFAULT_TEST_COMMAND, PathSource, Task


def opener(task: Task) -> Callable[[], LocalSandbox]:
    return lambda: LocalSandbox(task.repo_source, expected_commit=task.base_commit)


def candidate(task: Task, edit: Callable[[LocalSandbox], None]) -> str:
    """Make a candidate patch by editing a fresh workspace."""
    with LocalSandbox(task.repo_source) as box:
        edit(box)
        return box.diff()


def test_gold_patch_resolves_and_every_test_passes(tiny_task: Task) -> None:
    outcome = grade(tiny_task, tiny_task.patch, opener(tiny_task))
    assert outcome.resolved and outcome.patch_applied
    assert set(outcome.fail_to_pass.values()) == {"passed"}
    assert set(outcome.pass_to_pass.values()) == {"passed"}


def test_empty_candidate_is_unresolved(tiny_task: Task) -> None:
    outcome = grade(tiny_task, "", opener(tiny_task))
    assert not outcome.resolved and outcome.summary() == "no change submitted"


def test_a_patch_that_does_not_apply_is_a_model_failure(tiny_task: Task) -> None:
    broken = tiny_task.patch.replace("return a + b", "return 42 + a")
    outcome = grade(tiny_task, broken, opener(tiny_task))
    assert not outcome.resolved and not outcome.patch_applied


def test_forging_tests_with_a_conftest_is_undone(tiny_task: Task) -> None:
    forged = ("import pytest\n\n@pytest.hookimpl(hookwrapper=True)\n"
              "def pytest_runtest_makereport(item, call):\n    outcome = yield\n"
              "    outcome.get_result().outcome = 'passed'\n")
    patch = candidate(tiny_task, lambda box: box.write_file("conftest.py", forged.encode()))
    outcome = grade(tiny_task, patch, opener(tiny_task))
    assert outcome.dropped == ["conftest.py"] and outcome.restored_test_files == []
    assert not outcome.resolved and not outcome.tampering
    assert outcome.fail_to_pass == {"tests/test_arith.py::test_sub": "failed"}


def test_editing_the_visible_tests_does_not_help(tiny_task: Task) -> None:
    patch = candidate(tiny_task, lambda box: box.write_file(
        "tests/test_arith.py", b"def test_sub():\n    assert True\n"))
    outcome = grade(tiny_task, patch, opener(tiny_task))
    assert outcome.restored_test_files == ["tests/test_arith.py"] and not outcome.resolved


def test_breaking_pass_to_pass_is_unresolved(tiny_task: Task) -> None:
    def fix_sub_break_add(box: LocalSandbox) -> None:
        text = box.read_file("calc/ops/arith.py").decode()
        head, tail = text.split("def sub")
        box.write_file("calc/ops/arith.py", (head.replace("return a + b", "return 0")
                                             + "def sub" + tail.replace("a + b", "a - b")).encode())

    outcome = grade(tiny_task, candidate(tiny_task, fix_sub_break_add), opener(tiny_task))
    assert outcome.fail_to_pass == {"tests/test_arith.py::test_sub": "passed"}
    assert outcome.pass_to_pass["tests/test_arith.py::test_add"] == "failed"
    assert not outcome.resolved and "PASS_TO_PASS broken" in outcome.summary()


@pytest.mark.slow
def test_a_hanging_candidate_times_out_as_a_model_failure(tiny_task: Task) -> None:
    patch = candidate(tiny_task, lambda box: box.write_file(
        "calc/ops/arith.py",
        box.read_file("calc/ops/arith.py").replace(b"return a + b\n\n\ndef clamp",
                                                   b"while True: pass\n\n\ndef clamp")))
    outcome = grade(tiny_task, patch, opener(tiny_task), timeout=3)
    assert not outcome.resolved and outcome.failure_kind == "timeout"
    assert set(outcome.fail_to_pass.values()) == {"missing"}


def test_a_test_runner_that_cannot_start_is_an_infrastructure_error(tiny_task: Task) -> None:
    broken = tiny_task.model_copy(update={"test_command": "python3.99 -m pytest"})
    with pytest.raises(GradingError, match="does not run in the sandbox"):
        grade(broken, broken.patch, opener(broken))


def test_unittest_failures_are_read_as_failures_not_as_tampering(tiny_task: Task) -> None:
    """pytest moves a TestCase's failure into the call's exception late, in its own hook:
    the channel must read it after that, or a failing TestCase looks like a forged pass."""
    test = ("import unittest\n\nfrom calc.ops.arith import sub\n\n\n"
            "class SubTest(unittest.TestCase):\n    def test_sub(self):\n"
            "        self.assertEqual(sub(5, 2), 3)\n")
    lines = test.splitlines()
    patch = (f"diff --git a/tests/test_unit.py b/tests/test_unit.py\nnew file mode 100644\n"
             f"--- /dev/null\n+++ b/tests/test_unit.py\n@@ -0,0 +1,{len(lines)} @@\n"
             + "".join(f"+{line}\n" for line in lines))
    task = tiny_task.model_copy(update={"test_patch": patch, "PASS_TO_PASS": [],
                                        "FAIL_TO_PASS": ["tests/test_unit.py::SubTest::test_sub"]})
    unfixed = grade(task, "", opener(task))
    assert unfixed.fail_to_pass == {"tests/test_unit.py::SubTest::test_sub": "failed"}
    assert unfixed.tampering == [] and unfixed.failure_kind == "model"
    assert grade(task, task.patch, opener(task)).resolved


def _plugin_wheel(directory: Path) -> Path:
    """A wheel of a pytest plugin adding ``--fancy`` (built by hand: no network, no build)."""
    import zipfile
    wheel = directory / "flagplug-0.1-py3-none-any.whl"
    files = {
        "flagplug.py": "def pytest_addoption(parser):\n    parser.addoption('--fancy', "
                       "action='store_true')\n",
        "flagplug-0.1.dist-info/METADATA": "Metadata-Version: 2.1\nName: flagplug\n"
                                           "Version: 0.1\n",
        "flagplug-0.1.dist-info/WHEEL": "Wheel-Version: 1.0\nGenerator: hand\n"
                                        "Root-Is-Purelib: true\nTag: py3-none-any\n",
        "flagplug-0.1.dist-info/entry_points.txt": "[pytest11]\nflagplug = flagplug\n",
    }
    record = "".join(f"{name},,\n" for name in files) + "flagplug-0.1.dist-info/RECORD,,\n"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, text in {**files, "flagplug-0.1.dist-info/RECORD": record}.items():
            archive.writestr(name, text)
    return wheel


def test_plugins_the_environment_installs_load_and_the_repositorys_do_not(
        tmp_path: Path) -> None:
    """Autoloading is off in grading: the environment spec's plugin still loads (the
    project's addopts need it), a plugin declared from inside the repository does not."""
    repo = tmp_path / "proj"
    (repo / "tests").mkdir(parents=True)
    (repo / "setup.cfg").write_text("[tool:pytest]\naddopts = --fancy\n")
    (repo / "tests" / "test_a.py").write_text("def test_a():\n    pass\n")
    (repo / "evilplug.py").write_text(
        "import pathlib\npathlib.Path('LOADED').write_text('x')\n")
    (repo / "evil-0.1.dist-info").mkdir()
    (repo / "evil-0.1.dist-info" / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: evil\nVersion: 0.1\n")
    (repo / "evil-0.1.dist-info" / "entry_points.txt").write_text(
        "[pytest11]\nevil = evilplug\n")
    source = PathSource(kind="path", path=str(repo))
    wheel = str(_plugin_wheel(tmp_path))
    with LocalSandbox(source, environment=EnvSpec(
            python_packages=(*DEFAULT_PACKAGES, wheel))) as box:
        run = run_under_channel(box, DEFAULT_TEST_COMMAND, ["tests/test_a.py"], 120)
        assert run.statuses == {"tests/test_a.py::test_a": "passed"}, run.log_tail
        assert run.exit_code == 0 and not run.evidence
        assert not (Path(box.workdir) / "LOADED").exists()
    with LocalSandbox(source) as box:  # without the plugin, --fancy is a usage error
        run = run_under_channel(box, DEFAULT_TEST_COMMAND, ["tests/test_a.py"], 120)
        assert run.exit_code == 4 and "--fancy" in run.log_tail


@pytest.mark.parametrize(("finished", "errors", "expected"), [
    (1, [], "missing"),                                    # pytest ran; the test is nowhere
    (1, ["tests/test_a.py"], "error"),                     # its module did not import
    (1, ["tests/__init__.py"], "error"),                   # nor did its package
    (1, ["tests/conftest.py"], "error"),                   # nor a conftest above it
    (1, ["conftest.py"], "error"),                         # ... at the root
    (1, ["tests/other/test_b.py", "tests/b"], "missing"),  # an unrelated module or folder
    (4, [], "error"),                                      # pytest stopped before running
    (None, [], "error"),                                   # the run was cut short
])
def test_a_test_that_did_not_run_is_an_error_when_the_runner_could_not_reach_it(
        finished: int | None, errors: list[str], expected: str) -> None:
    from harness.grading.grader import _status
    from harness.grading.pytest_run import ChannelRun

    run = ChannelRun(finished=finished, collect_errors=errors,
                     statuses={"tests/test_c.py::test_x": "passed"})
    assert _status(run, "tests/test_a.py::test_y[1]") == expected
    assert _status(run, "tests/test_c.py::test_x") == "passed"
