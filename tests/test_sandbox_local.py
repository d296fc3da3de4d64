"""What only the local backend has: the template, bubblewrap's isolation, the environment
(the shared contract is in ``test_sandbox_contract.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.errors import SandboxError
from harness.sandbox.bubblewrap import bwrap_available
from harness.sandbox.local import LocalSandbox, ensure_template
from harness.task import Task


@pytest.fixture
def sandbox(box: LocalSandbox) -> LocalSandbox:
    """The shared workspace fixture, once per isolation mode (tests/conftest.py)."""
    return box


def test_the_harness_own_pytest_plugins_stay_out_of_the_project(sandbox: LocalSandbox) -> None:
    """The project runs on the harness's interpreter; xdist, hypothesis and the harness
    plugin installed beside it are not the project's and must not load into its tests."""
    plugins = sandbox.exec(["python", "-m", "pytest", "-VV"], timeout=60)
    assert plugins.ok, plugins.combined()
    for name in ("agent-eval-harness", "pytest-xdist", "hypothesis"):
        assert name not in plugins.combined()


def test_workspaces_are_independent_and_leave_the_template_alone(tiny_task: Task) -> None:
    with LocalSandbox(tiny_task.repo_source) as first, LocalSandbox(tiny_task.repo_source) as other:
        first.write_file("calc/ops/arith.py", b"# gone\n")
        first.exec(["git", "commit", "-qam", "later history"], timeout=30)
        assert b"def sub" in other.read_file("calc/ops/arith.py")
    template = ensure_template(tiny_task.repo_source)
    assert b"def sub" in (template / "calc" / "ops" / "arith.py").read_bytes()


def test_a_changed_source_tree_is_refused(tiny_task: Task) -> None:
    with pytest.raises(SandboxError, match="rebuild the bank"):
        LocalSandbox(tiny_task.repo_source, expected_commit="0" * 40)


bwrap_only = pytest.mark.skipif(not bwrap_available(),
                                reason="bubblewrap is not installed or not usable here")


@pytest.fixture
def isolated(tiny_task: Task) -> Iterator[LocalSandbox]:
    with LocalSandbox(tiny_task.repo_source, isolation="bwrap") as box:
        yield box


@bwrap_only
def test_bwrap_hides_the_host_outside_system_dirs(isolated: LocalSandbox) -> None:
    secret = Path(__file__).resolve()
    assert not isolated.exec(["cat", str(secret)], timeout=30).ok
    assert not isolated.exec(["ls", str(Path.home())], timeout=30).stdout.strip()
    processes = isolated.exec(["sh", "-c", "ls /proc | grep -c '^[0-9]'"], timeout=30)
    assert int(processes.stdout) < 5


@bwrap_only
def test_bwrap_allows_writes_only_in_the_workspace(isolated: LocalSandbox) -> None:
    for target in ("/usr/evil", "/etc/evil", f"{Path(isolated.workdir).parent}/home/evil"):
        assert not isolated.exec(["touch", target], timeout=30).ok, target
    assert isolated.exec(["touch", "inside"], timeout=30).ok
    assert (Path(isolated.workdir) / "inside").exists()
