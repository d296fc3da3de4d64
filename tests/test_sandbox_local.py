"""What only the local backend has: the template, bubblewrap's isolation, the environment
(the shared contract is in ``test_sandbox_contract.py``)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.errors import SandboxError
from harness.sandbox.bubblewrap import bwrap_available, hidden_dirs
from harness.sandbox.environments import EnvSpec
from harness.sandbox.limits import Limits
from harness.sandbox.local import LocalSandbox, ensure_template
from harness.task import Task


@pytest.fixture
def sandbox(box: LocalSandbox) -> LocalSandbox:
    """The shared workspace fixture, once per isolation mode (tests/conftest.py)."""
    return box


def test_the_harness_own_pytest_plugins_stay_out_of_the_project(sandbox: LocalSandbox) -> None:
    """The project runs on its own environment: xdist, hypothesis and the harness plugin
    installed beside the harness are not the project's and must not load into its tests."""
    plugins = sandbox.exec(["python", "-m", "pytest", "-VV"], timeout=60)
    assert plugins.ok, plugins.combined()
    for name in ("agent-eval-harness", "pytest-xdist", "hypothesis"):
        assert name not in plugins.combined()
    harness_packages = sandbox.exec(["python", "-c", "import pydantic"], timeout=60)
    assert not harness_packages.ok and "No module named 'pydantic'" in harness_packages.stderr


def test_a_project_gets_the_packages_its_spec_declares(tiny_task: Task) -> None:
    declared = EnvSpec(python_packages=("pytest", "coverage", "six"))
    with LocalSandbox(tiny_task.repo_source, environment=declared) as box:
        assert box.exec(["python", "-c", "import six"], timeout=60).ok
    with LocalSandbox(tiny_task.repo_source) as box:
        assert not box.exec(["python", "-c", "import six"], timeout=60).ok


@pytest.mark.skipif(not bwrap_available(), reason="needs bubblewrap")
def test_bubblewrap_hides_every_site_packages_of_the_host(tiny_task: Task) -> None:
    with LocalSandbox(tiny_task.repo_source, isolation="bwrap") as box:
        for directory in hidden_dirs():
            listed = box.exec(["ls", "-A", directory], timeout=30)
            assert listed.ok and listed.stdout.strip() == "", (directory, listed.stdout[:200])


def test_limits_hold_where_the_machine_allows_them(tiny_task: Task) -> None:
    small = Limits(pids=64, disk="64m", tmp="16m", memory="512m")
    with LocalSandbox(tiny_task.repo_source, isolation="bwrap" if bwrap_available() else "none",
                      limits=small) as box:
        if "pids" not in box.enforced:
            pytest.skip("no writable control group here (needs root and cgroups)")
        forks = box.exec(["sh", "-c", "for i in $(seq 200); do sleep 5 & done"], timeout=60)
        assert not forks.ok and box.limits_reached() == ["pids"]
        assert box.exec(["true"], timeout=30).ok  # what the bomb left was killed
        if "disk" in box.enforced:
            fill = box.exec(["sh", "-c", "head -c 100000000 /dev/zero > big"], timeout=60)
            assert not fill.ok and "disk" in box.limits_reached()


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
