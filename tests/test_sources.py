"""Project sources: sdists pinned by sha256 through a package index, git commits, deletions."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from harness.errors import SandboxError
from harness.sandbox.local import LocalSandbox
from harness.sources import find_sdist, normalise, source_identity, source_tree
from harness.task import GitSource, PathSource, PypiSource

FILES = {"pkg/__init__.py": "VALUE = 1\n", "tests/test_pkg.py": "def test_x():\n    pass\n"}


def test_sdist_is_found_downloaded_verified_and_unpacked(local_index):
    sha256 = local_index.publish("Demo_Pkg", "1.0", FILES)
    url, listed = find_sdist("demo-pkg", "1.0")
    assert listed == sha256 and url.endswith("Demo_Pkg-1.0.tar.gz")
    tree = source_tree(PypiSource(kind="pypi", name="demo-pkg", version="1.0", sha256=sha256))
    assert (tree / "pkg" / "__init__.py").read_text() == "VALUE = 1\n"


def test_a_changed_release_is_refused(local_index):
    local_index.publish("demo", "1.0", FILES)
    pinned = "0" * 64
    with pytest.raises(SandboxError, match="rebuild the bank"):
        source_tree(PypiSource(kind="pypi", name="demo", version="1.0", sha256=pinned))


def test_a_missing_version_says_so(local_index):
    local_index.publish("demo", "1.0", FILES)
    with pytest.raises(SandboxError, match=r"no source distribution of demo 2\.0"):
        find_sdist("demo", "2.0")


def test_sdist_cases_get_a_working_copy_without_deleted_files(local_index):
    sha256 = local_index.publish("demo", "2.0", FILES)
    source = PypiSource(kind="pypi", name="demo", version="2.0", sha256=sha256,
                        delete=["tests/test_pkg.py"])
    with LocalSandbox(source) as box:
        assert box.read_file("pkg/__init__.py") == b"VALUE = 1\n"
        assert not (Path(box.workdir) / "tests" / "test_pkg.py").exists()
        tracked = box.exec(["git", "ls-files"], timeout=30).stdout.split()
        assert tracked == ["pkg/__init__.py"]


def test_deleted_files_leave_no_trace_in_packaging_file_lists(local_index):
    listing = "pkg/__init__.py\ntests/test_pkg.py\ntests/test_other.py\n"
    record = "pkg/__init__.py,sha256=x,1\ntests/test_pkg.py,sha256=y,2\n"
    files = {**FILES, "tests/test_other.py": "def test_y():\n    pass\n",
             "demo.egg-info/SOURCES.txt": listing, "demo-2.1.dist-info/RECORD": record}
    sha256 = local_index.publish("demo", "2.1", files)
    source = PypiSource(kind="pypi", name="demo", version="2.1", sha256=sha256,
                        delete=["tests/test_pkg.py"])
    with LocalSandbox(source) as box:
        assert box.read_file("demo.egg-info/SOURCES.txt") == \
            b"pkg/__init__.py\ntests/test_other.py\n"
        assert box.read_file("demo-2.1.dist-info/RECORD") == b"pkg/__init__.py,sha256=x,1\n"
        found = box.exec(["git", "grep", "-n", "test_pkg"], timeout=30)
        assert found.stdout == "" and found.exit_code == 1
    plain = PypiSource(kind="pypi", name="demo", version="2.1", sha256=sha256)
    with LocalSandbox(plain) as box:
        assert box.read_file("demo.egg-info/SOURCES.txt").decode() == listing


def test_deleting_a_missing_file_is_an_error(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    source = PathSource(kind="path", path=str(tmp_path), delete=["b.py"])
    with pytest.raises(SandboxError, match=r"cannot delete 'b\.py'"):
        LocalSandbox(source)


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True,
                          text=True).stdout.strip()


def test_git_source_exports_one_commit_and_no_history(tmp_path):
    repo = tmp_path / "upstream"
    repo.mkdir()
    _git(repo, "init", "-q", "-b", "main")
    _git(repo, "config", "user.email", "t@t")
    _git(repo, "config", "user.name", "t")
    (repo / "mod.py").write_text("OLD = 1\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "first")
    first = _git(repo, "rev-parse", "HEAD")
    (repo / "mod.py").write_text("NEW = 2  # the future fix\n")
    _git(repo, "commit", "-qam", "second")
    source = GitSource(kind="git", url=str(repo), commit=first)
    assert (source_tree(source) / "mod.py").read_text() == "OLD = 1\n"
    with LocalSandbox(source) as box:
        history = box.exec(["git", "log", "--all", "--format=%s"], timeout=30).stdout.split()
        objects = box.exec(["git", "cat-file", "--batch-all-objects", "--batch"],
                           timeout=30).stdout
    assert history == ["base"]
    assert "the future fix" not in objects


def test_identity_changes_with_the_pin_the_patch_and_the_deletions(tmp_path):
    (tmp_path / "a.py").write_text("x = 1\n")
    base = PathSource(kind="path", path=str(tmp_path))
    variants = {source_identity(base),
                source_identity(base.model_copy(update={"base_patch": "diff"})),
                source_identity(base.model_copy(update={"delete": ["a.py"]})),
                source_identity(PypiSource(kind="pypi", name="a", version="1", sha256="1" * 64)),
                source_identity(PypiSource(kind="pypi", name="a", version="1", sha256="2" * 64))}
    assert len(variants) == 5


@pytest.mark.parametrize(("name", "expected"), [
    ("More_Itertools", "more-itertools"), ("a.b__c", "a-b-c"), ("toolz", "toolz")])
def test_names_are_normalised_as_pep_503_says(name, expected):
    assert normalise(name) == expected
