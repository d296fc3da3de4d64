"""JUnit parsing against real pytest reports (harness.grading.junit) and diff facts
(harness.grading.patches)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.grading.junit import node_id, parse_junit
from harness.grading.patches import is_test_path, touched_files
from harness.grading.patches import test_files_of as files_of_test_ids

# --- parse_junit on a real report ---------------------------------------------------------

SAMPLE_TESTS = '''
    import pytest


    @pytest.fixture
    def broken_setup():
        raise RuntimeError("fixture exploded")


    @pytest.fixture
    def broken_teardown():
        yield
        raise RuntimeError("teardown exploded")


    def test_passes():
        assert 1 + 1 == 2


    def test_fails():
        assert 1 + 1 == 3


    def test_setup_error(broken_setup):
        pass


    def test_teardown_error(broken_teardown):
        pass


    def test_skipped():
        pytest.skip("not today")


    def test_skipped_then_teardown_error(broken_teardown):
        pytest.skip("skipped, but the fixture still breaks")


    def test_fails_then_teardown_error(broken_teardown):
        assert False


    @pytest.mark.xfail(reason="known bug")
    def test_expected_failure():
        assert False


    @pytest.mark.parametrize("value", [1, 2, 3],
                             ids=["with space", "br[ack]et", "dotted.id::colons"])
    def test_param(value):
        assert value != 2


    class TestGroup:
        def test_method_passes(self):
            pass

        def test_method_fails(self):
            raise ValueError("boom")

        @pytest.mark.parametrize("n", [0, 1])
        def test_method_param(self, n):
            assert n == 0

        class TestNested:
            def test_deep(self):
                pass
'''

# pytest writes a failure plus a teardown error as two <testcase> elements; either bad
# status is a correct verdict for that test.
EXPECTED_BY_SUFFIX: dict[str, str | set[str]] = {
    "test_passes": "passed",
    "test_fails": "failed",
    "test_setup_error": "error",
    "test_teardown_error": "error",
    "test_skipped": "skipped",
    "test_skipped_then_teardown_error": "error",
    "test_fails_then_teardown_error": {"failed", "error"},
    "test_expected_failure": "skipped",
    "test_param[with space]": "passed",
    "test_param[br[ack]et]": "failed",
    "test_param[dotted.id::colons]": "passed",
    "TestGroup::test_method_passes": "passed",
    "TestGroup::test_method_fails": "failed",
    "TestGroup::test_method_param[0]": "passed",
    "TestGroup::test_method_param[1]": "failed",
    "TestGroup::TestNested::test_deep": "passed",
}

PYTEST_ARGS = ["-p", "no:cacheprovider", "-p", "no:harness", "-p", "no:randomly"]


def _pytest(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", *args, *PYTEST_ARGS], cwd=cwd,
                          capture_output=True, text=True, timeout=120, check=False)


@pytest.fixture(scope="module")
def real_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, str], set[str], str]:
    """Run real pytest on a sample file; return (parsed statuses, collected ids, file path)."""
    root = tmp_path_factory.mktemp("junit")
    (root / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")  # pin the rootdir
    relative = "pkg_tests/sub/test_sample.py"
    (root / relative).parent.mkdir(parents=True)
    (root / relative).write_text(textwrap.dedent(SAMPLE_TESTS), encoding="utf-8")

    run = _pytest(root, relative, "--junitxml=report.xml", "-o", "junit_family=xunit1")
    assert run.returncode == 1, run.stdout + run.stderr  # some tests fail, as designed
    collected = _pytest(root, relative, "--collect-only", "-q")
    assert collected.returncode == 0, collected.stdout + collected.stderr
    ids = {line for line in collected.stdout.splitlines() if "::" in line}
    statuses = parse_junit((root / "report.xml").read_bytes())
    return dict(statuses), ids, relative


def test_real_report_keys_are_the_collected_node_ids(
        real_report: tuple[dict[str, str], set[str], str]) -> None:
    statuses, collected, relative = real_report
    assert collected == {f"{relative}::{suffix}" for suffix in EXPECTED_BY_SUFFIX}
    assert set(statuses) == collected


@pytest.mark.parametrize(("suffix", "expected"), list(EXPECTED_BY_SUFFIX.items()))
def test_real_report_statuses(real_report: tuple[dict[str, str], set[str], str],
                              suffix: str, expected: str | set[str]) -> None:
    statuses, _, relative = real_report
    allowed = expected if isinstance(expected, set) else {expected}
    assert statuses.get(f"{relative}::{suffix}") in allowed


def _testcase(name: str, body: str = "", classname: str = "test_m", file: str = "test_m.py") -> str:
    return (f'<testcase classname="{classname}" name="{name}" file="{file}" line="1">'
            f"{body}</testcase>")


@pytest.mark.parametrize(("bodies", "expected"), [
    (["", "<failure message='x'/>"], "failed"),
    (["<failure message='x'/>", ""], "failed"),
    (["<skipped/><error message='teardown'/>"], "error"),
    (["<error message='setup'/>", ""], "error"),
    (["<failure message='x'/><error message='teardown'/>"], "error"),
])
def test_repeated_testcases_keep_the_bad_status(bodies: list[str], expected: str) -> None:
    cases = "".join(_testcase("test_a", body) for body in bodies)
    report = f'<testsuites><testsuite name="pytest">{cases}</testsuite></testsuites>'
    assert parse_junit(report.encode()) == {"test_m.py::test_a": expected}


@pytest.mark.parametrize("data", [b"", b"<testsuite><testcase", b"not xml at all"])
def test_unparsable_report_gives_no_statuses(data: bytes) -> None:
    assert parse_junit(data) == {}


def test_inherited_test_methods_keep_their_collected_node_id(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n", encoding="utf-8")
    (tmp_path / "mixins.py").write_text(
        "class Mixin:\n    def test_inherited(self):\n        pass\n", encoding="utf-8")
    (tmp_path / "test_child.py").write_text(
        "from mixins import Mixin\n\nclass TestChild(Mixin):\n    pass\n", encoding="utf-8")
    run = _pytest(tmp_path, "test_child.py", "--junitxml=report.xml", "-o",
                  "junit_family=xunit1")
    assert run.returncode == 0, run.stdout + run.stderr
    statuses = parse_junit((tmp_path / "report.xml").read_bytes())
    assert statuses == {"test_child.py::TestChild::test_inherited": "passed"}


# --- node_id property ---------------------------------------------------------------------

identifiers = st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,10}", fullmatch=True)
directories = st.from_regex(r"[a-z0-9_][a-z0-9_.-]{0,10}", fullmatch=True).filter(
    lambda name: name not in (".", ".."))
params = st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=15)


@given(dirs=st.lists(directories, max_size=4), module=identifiers,
       classes=st.lists(identifiers.map(lambda name: f"Test{name}"), max_size=3),
       name=identifiers, param=st.none() | params)
def test_node_id_inverts_pytest_address_mangling(dirs: list[str], module: str,
                                                 classes: list[str], name: str,
                                                 param: str | None) -> None:
    file = "/".join([*dirs, f"test_{module}.py"])
    test_name = f"test_{name}" + (f"[{param}]" if param is not None else "")
    # pytest's junitxml: classname = path without ".py", "/" -> ".", then the classes.
    classname = ".".join([file[: -len(".py")].replace("/", "."), *classes])
    assert node_id(file, classname, test_name) == "::".join([file, *classes, test_name])


# --- patches ------------------------------------------------------------------------------


def _git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.com",
                           "-c", "core.quotePath=false", *args], cwd=cwd, check=True,
                          capture_output=True, text=True).stdout


def _write(root: Path, path: str, text: str) -> None:
    (root / path).parent.mkdir(parents=True, exist_ok=True)
    (root / path).write_text(text, encoding="utf-8")


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    _git(tmp_path, "init", "-q")
    _write(tmp_path, "src/mod.py", "a = 1\nb = 2\nc = 3\n")
    _write(tmp_path, "src/old_name.py", "".join(f"line {i}\n" for i in range(20)))
    _write(tmp_path, "src/dead.py", "gone = True\n")
    _write(tmp_path, "tests/test_mod.py", "def test_a():\n    pass\n")
    _git(tmp_path, "add", "-A")
    _git(tmp_path, "commit", "-qm", "base")
    return tmp_path


def test_touched_files_of_a_real_multi_file_diff(repo: Path) -> None:
    _write(repo, "src/mod.py", "a = 1\nb = 20\nc = 3\n")
    _git(repo, "mv", "src/old_name.py", "src/new_name.py")
    (repo / "src/dead.py").unlink()
    _write(repo, "src/added.py", "fresh = True\n")
    _write(repo, "tests/test_mod.py", "def test_a():\n    assert True\n")
    _git(repo, "add", "-A")
    patch = _git(repo, "diff", "--cached", "-M")
    assert "rename from src/old_name.py" in patch  # the diff really holds a rename

    files = touched_files(patch)
    assert set(files) == {"src/mod.py", "src/old_name.py", "src/new_name.py", "src/dead.py",
                          "src/added.py", "tests/test_mod.py"}
    assert len(files) == len(set(files))
    # Both names of the rename, old then new; files in the order the diff lists them.
    assert files.index("src/new_name.py") == files.index("src/old_name.py") + 1
    positions = [patch.index(f"diff --git a/{name}") for name in files
                 if f"diff --git a/{name}" in patch]
    assert positions == sorted(positions)


def test_touched_files_ignores_header_lookalikes_inside_hunks() -> None:
    patch = textwrap.dedent("""\
        diff --git a/docs/notes.md b/docs/notes.md
        --- a/docs/notes.md
        +++ b/docs/notes.md
        @@ -1 +1,2 @@
         diff --git a/context/line.py b/context/line.py
        +diff --git a/added/line.py b/added/line.py
        diff --git a/docs/notes.md b/docs/notes.md
        """)
    assert touched_files(patch) == ["docs/notes.md"]


def test_touched_files_of_no_patch() -> None:
    assert touched_files("") == []


def test_touched_files_with_a_space_in_the_path(repo: Path) -> None:
    _write(repo, "tests/test my case.py", "def test_x():\n    pass\n")
    _git(repo, "add", "-A")
    assert touched_files(_git(repo, "diff", "--cached")) == ["tests/test my case.py"]


@pytest.mark.parametrize(("path", "expected"), [
    ("tests/test_mod.py", True),
    ("tests/helpers.py", True),
    ("pkg/tests/data/input.txt", True),
    ("testing/util.py", True),
    ("src/pkg/test/fixtures.py", True),
    ("test_top.py", True),
    ("src/pkg/test_mod.py", True),
    ("src/pkg/mod_test.py", True),
    ("conftest.py", True),
    ("src/pkg/conftest.py", True),
    ("pytest.ini", True),
    ("tox.ini", True),
    ("src/pkg/mod.py", False),
    ("src/latest/mod.py", False),
    ("src/pkg/tests", False),
    ("src/pkg/testsuite.py", False),
    ("src/pkg/contest.py", False),
    ("src/pkg/mod_test.txt", False),
    ("src/pkg/mytest_mod.py", False),
    ("setup.py", False),
    ("README.md", False),
])
def test_is_test_path(path: str, expected: bool) -> None:
    assert is_test_path(path) is expected


def test_test_files_of_keeps_first_seen_order_once_each() -> None:
    ids = [
        "tests/test_b.py::test_one",
        "tests/test_a.py::TestX::test_two[a::b]",
        "tests/test_b.py::test_three",
        "tests/test_a.py",
        "tests/sub/test_c.py::test[x y]",
    ]
    assert files_of_test_ids(ids) == ["tests/test_b.py", "tests/test_a.py", "tests/sub/test_c.py"]


def test_test_files_of_nothing() -> None:
    assert files_of_test_ids([]) == []
