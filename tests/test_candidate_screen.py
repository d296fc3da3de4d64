"""What of a candidate the grader runs (harness.grading.candidate): which paths are put back,
how pytest sections are compared, what the static screen calls tampering."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.grading.candidate import pytest_config, runner_controlled, screen
from harness.grading.patches import file_diffs

# Directories holding an __init__.py in the candidate's tree.
PACKAGES = frozenset({"_pytest", "src/pluggy", "calc", "calc/ops", "tests/py", "src/calc"})


@pytest.mark.parametrize(("path", "at_base", "controlled"), [
    ("conftest.py", True, True), ("deep/er/conftest.py", False, True),
    ("pytest.ini", False, True), ("sub/.pytest.ini", False, True), ("pytest.toml", True, True),
    ("a/b.pth", False, True), (".gitattributes", True, True),
    ("pytest.py", False, True), ("_pytest/__init__.py", False, True),
    ("_pytest/forge.py", False, True), ("src/pluggy/hooks.py", False, True),
    ("sitecustomize.py", False, True), ("tools/usercustomize.py", False, True),
    ("tests/py/__init__.py", False, True),  # tests/ is no package: `py` is top level there
    ("src/coverage.py", False, True),
    ("packaging/version.py", True, False),  # the project's own module of that name
    ("calc/coverage.py", False, False),  # calc.coverage, a submodule: shadows nothing
    ("src/calc/packaging/__init__.py", False, False),
    ("docs/py/notes.md", False, False), ("docs/pytest.md", False, False),
    ("calc/ops/arith.py", False, False), ("pyproject.toml", True, False),
    ("tests/test_pytest_things.py", False, False),
])
def test_which_changed_paths_the_grader_puts_back(path: str, at_base: bool,
                                                  controlled: bool) -> None:
    assert runner_controlled(path, at_base, PACKAGES) is controlled


def test_pytest_sections_are_compared_and_the_rest_ignored() -> None:
    base = '[project]\nname = "calc"\n\n[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'
    version_bump = base.replace('name = "calc"', 'name = "calc"\nversion = "2"')
    plugin = base + 'addopts = "-p calc.forge"\n'
    assert pytest_config("pyproject.toml", version_bump) == pytest_config("pyproject.toml", base)
    assert pytest_config("pyproject.toml", plugin) != pytest_config("pyproject.toml", base)
    with pytest.raises(ValueError):
        pytest_config("pyproject.toml", "[tool.pytest\n")
    cfg = "[metadata]\nname = calc\n"
    assert pytest_config("setup.cfg", cfg + "[tool:pytest]\naddopts = -p x\n") != \
        pytest_config("setup.cfg", cfg)
    assert pytest_config("tox.ini", "[tox]\nenvlist = py\n") == pytest_config("tox.ini", "")


def added(*lines: str) -> str:
    body = "".join(f"+{line}\n" for line in lines)
    return (f"diff --git a/calc/x.py b/calc/x.py\n--- a/calc/x.py\n+++ b/calc/x.py\n"
            f"@@ -1 +1,{len(lines) + 1} @@\n import os\n{body}")


@pytest.mark.parametrize("line", [
    "import _pytest.reports", "TestReport.from_item_and_call = forged",
    "def pytest_runtest_makereport(item, call):", "config.pluginmanager.register(x)",
    "open(arg.split('--junitxml=')[1])", "import __main__", "sys.modules['__main__'].emit = f",
    "_os._exit(0)", "os.dup2(null, 9)", "fd = os.dup(9)", "os.listdir('/proc/self/fd')",
    "os.environ['HARNESS_CACHE']",
])
def test_runner_internals_are_tampering(line: str) -> None:
    found = screen(added(line))
    assert found.tampering and found.tampering[0].startswith("calc/x.py:2 reaches")


@pytest.mark.parametrize("line", [
    "atexit.register(cleanup)", "signal.signal(signal.SIGTERM, h)", "sys.modules[name] = m",
    "import builtins", "frame = sys._getframe(1)", "open('/proc/cpuinfo')",
])
def test_suspicious_calls_are_flags_only(line: str) -> None:
    found = screen(added(line))
    assert found.flags and not found.tampering


@pytest.mark.parametrize("line", [
    'if __name__ == "__main__":', "sys.exit(main())", "return os.path.join(a, b)",
    "import pytest  # used by the project's docs", "value = parser.parse(text)",
])
def test_ordinary_code_is_not_flagged(line: str) -> None:
    assert screen(added(line)) == screen("")


def test_files_the_grader_put_back_are_not_screened() -> None:
    assert screen(added("import _pytest"), skipped=frozenset({"calc/x.py"})) == screen("")


safe_lines = st.text(st.characters(exclude_characters="\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029"),
                     max_size=40)


@given(st.lists(safe_lines, min_size=1, max_size=8), st.integers(min_value=1, max_value=500))
def test_added_lines_are_read_back_with_their_numbers(lines: list[str], start: int) -> None:
    body = "".join(f"+{line}\n" for line in lines)
    patch = (f"diff --git a/m.py b/m.py\n--- a/m.py\n+++ b/m.py\n"
             f"@@ -{start},1 +{start},{len(lines) + 1} @@\n context\n{body}")
    [diff] = file_diffs(patch)
    assert diff.path == "m.py"
    assert list(diff.added_lines()) == [(start + 1 + i, line) for i, line in enumerate(lines)]
