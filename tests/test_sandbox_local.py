"""The sandbox contract, run against the local backend (bubblewrap and plain)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from harness.errors import SandboxError, ToolError
from harness.process import DEFAULT_OUTPUT_LIMIT
from harness.sandbox.bubblewrap import bwrap_available
from harness.sandbox.local import LocalSandbox, ensure_template
from harness.task import Task


@pytest.fixture
def sandbox(box: LocalSandbox) -> LocalSandbox:
    """The shared workspace fixture, once per isolation mode (tests/conftest.py)."""
    return box


def test_workspace_is_the_base_state_with_one_commit_and_no_remote(sandbox: LocalSandbox) -> None:
    assert b"return a + b" in sandbox.read_file("calc/ops/arith.py").split(b"def sub")[1]
    log = sandbox.exec(["git", "log", "--all", "--oneline"], timeout=30)
    assert log.ok and len(log.stdout.splitlines()) == 1
    assert sandbox.exec(["git", "remote"], timeout=30).stdout.strip() == ""


def test_file_methods_stay_inside_the_repository(sandbox: LocalSandbox) -> None:
    sandbox.write_file("notes/a.txt", b"hello")
    assert sandbox.read_file("notes/a.txt") == b"hello"
    assert [e.name for e in sandbox.list("notes")] == ["a.txt"]
    for escape in ("../home/x", "/etc/passwd", "calc/../../repo2"):
        with pytest.raises(ToolError, match="outside the repository"):
            sandbox.read_file(escape)
    (Path(sandbox.workdir) / "link").symlink_to("/etc")
    with pytest.raises(ToolError, match="outside the repository"):
        sandbox.read_file("link/passwd")
    with pytest.raises(ToolError, match=r"\.git"):
        sandbox.read_file(".git/config")
    assert ".git" not in [e.name for e in sandbox.list(".")]


def test_diff_holds_edits_and_new_files_and_reset_undoes_them(sandbox: LocalSandbox) -> None:
    sandbox.write_file("calc/text/fmt.py", b"CHANGED\n")
    sandbox.write_file("calc/new_module.py", b"NEW = 1\n")
    sandbox.write_file("calc/__pycache__/x.pyc", b"\0")
    diff = sandbox.diff()
    assert "+CHANGED" in diff and "+NEW = 1" in diff and "pycache" not in diff
    sandbox.reset()
    assert sandbox.diff() == ""
    assert not (Path(sandbox.workdir) / "calc" / "new_module.py").exists()


def test_files_the_project_ignores_but_the_base_tracks_are_not_diffed_away(
        sandbox: LocalSandbox) -> None:
    sandbox.write_file(".gitignore", b"calc/ops/\n")
    sandbox.write_file("calc/ops/arith.py", b"CHANGED = 1\n")
    diff = sandbox.diff()
    assert "+CHANGED = 1" in diff
    assert "deleted file" not in diff and "calc/ops/__init__.py" not in diff


def test_a_diff_larger_than_the_output_bound_is_whole(sandbox: LocalSandbox) -> None:
    lines = "".join(f"VALUE_{n} = {n}\n" for n in range(20_000))
    sandbox.write_file("calc/big.py", lines.encode())
    diff = sandbox.diff()
    assert len(diff) > DEFAULT_OUTPUT_LIMIT and "+VALUE_19999 = 19999\n" in diff
    sandbox.reset()
    assert sandbox.exec(["git", "apply", "-"], timeout=60, stdin=diff.encode()).ok
    assert sandbox.read_file("calc/big.py").decode() == lines


def test_exec_runs_in_the_repository_with_a_timeout(sandbox: LocalSandbox) -> None:
    result = sandbox.exec(["pwd"], timeout=30, cwd="calc")
    assert result.ok and result.stdout.strip().endswith("/repo/calc")
    slow = sandbox.exec(["sleep", "30"], timeout=0.5)
    assert slow.timed_out and not slow.ok


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


@bwrap_only
def test_bwrap_has_no_network(isolated: LocalSandbox) -> None:
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    threading.Thread(target=lambda: server.accept(), daemon=True).start()
    probe = (f"import socket,sys\ntry:\n    socket.create_connection(('127.0.0.1', {port}), 3)\n"
             "except OSError:\n    sys.exit(7)\n")
    try:
        result = isolated.exec(["python3", "-c", probe], timeout=30)
        assert result.exit_code == 7, result.combined()
    finally:
        server.close()
