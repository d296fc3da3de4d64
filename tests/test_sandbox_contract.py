"""One sandbox contract, the same assertions for every backend (local and docker).

The docker parameters need a reachable engine and the base image (built offline
with debootstrap when missing, about 90 s once per machine); where either is
missing they are skipped with the reason, never silently.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from harness.agent import AgentBudget, AgentLoop
from harness.bank import Bank
from harness.capabilities.navigation import NAVIGATION
from harness.errors import ToolError
from harness.grading import grade
from harness.policies import make_policy
from harness.process import DEFAULT_OUTPUT_LIMIT
from harness.protocols import Sandbox
from harness.sandbox.backends import sandbox_opener
from harness.sandbox.bubblewrap import bwrap_available
from harness.sandbox.local import Isolation
from harness.task import Task
from harness.tools import default_tools

BACKENDS = [
    "local",
    pytest.param("local-bwrap", marks=pytest.mark.skipif(
        not bwrap_available(), reason="bubblewrap is not installed or not usable here")),
    pytest.param("docker", marks=pytest.mark.docker),
]
Opener = Callable[[Task], Sandbox]


@pytest.fixture(scope="session")
def docker_opener(docker_engine: Any) -> Opener:
    """Opens DockerSandboxes the way the runner does (skipped with the reason without an
    engine: see the ``docker_engine`` fixture)."""
    return lambda task: sandbox_opener(task, "docker")()


@pytest.fixture(params=BACKENDS)
def opener(request: pytest.FixtureRequest) -> Opener:
    """``local`` (plain subprocesses), ``local-bwrap`` (under bubblewrap), ``docker``."""
    if request.param == "docker":
        opener: Opener = request.getfixturevalue("docker_opener")
        return opener
    isolation: Isolation = "bwrap" if request.param == "local-bwrap" else "none"
    return lambda task: sandbox_opener(task, "local", isolation)()


@pytest.fixture
def sandbox(opener: Opener, tiny_task: Task) -> Iterator[Sandbox]:
    with opener(tiny_task) as box:
        yield box


def exists(sandbox: Sandbox, path: str) -> bool:
    return sandbox.exec(["test", "-e", path], timeout=30).ok


def test_workspace_is_the_base_state_with_one_commit_and_no_remote(sandbox: Sandbox,
                                                                   tiny_task: Task) -> None:
    assert b"return a + b" in sandbox.read_file("calc/ops/arith.py").split(b"def sub")[1]
    log = sandbox.exec(["git", "log", "--all", "--format=%H"], timeout=30)
    assert log.ok and log.stdout.split() == [tiny_task.base_commit]
    assert sandbox.exec(["git", "remote"], timeout=30).stdout.strip() == ""


def test_exec_runs_in_the_repository_with_stdin_and_exit_codes(sandbox: Sandbox) -> None:
    where = sandbox.exec(["pwd"], timeout=30, cwd="calc")
    assert where.ok and where.stdout.strip() == f"{sandbox.workdir}/calc"
    echoed = sandbox.exec(["sh", "-c", "cat; echo oops >&2; exit 3"], timeout=30,
                          stdin=b"hello\n")
    assert (echoed.exit_code, echoed.stdout, echoed.stderr) == (3, "hello\n", "oops\n")
    assert not echoed.ok and not echoed.timed_out
    with pytest.raises(ToolError, match="outside the repository"):
        sandbox.exec(["pwd"], timeout=30, cwd="..")


def test_a_timeout_kills_the_whole_process_group(sandbox: Sandbox) -> None:
    # The background writers wait 3 s: far longer than the kill takes on any backend
    # (docker kills with a second exec), so a file that appears was really left running.
    slow = sandbox.exec(["sh", "-c", "(sleep 3; touch late) & sleep 30"], timeout=0.5)
    assert slow.timed_out and slow.exit_code == -9 and not slow.ok
    quick = sandbox.exec(["sh", "-c", "(sleep 3; touch orphan) & exit 0"], timeout=30)
    assert quick.ok
    time.sleep(3.5)
    assert not exists(sandbox, "late") and not exists(sandbox, "orphan")


def test_output_is_bounded(sandbox: Sandbox) -> None:
    loud = sandbox.exec(["python3", "-c", "print('x' * 300_000)"], timeout=60)
    assert loud.ok and loud.truncated
    assert len(loud.stdout) < DEFAULT_OUTPUT_LIMIT + 200
    assert "bytes of output omitted" in loud.stdout


def test_file_methods_stay_inside_the_repository(sandbox: Sandbox) -> None:
    sandbox.write_file("notes/a.txt", b"hello")
    assert sandbox.read_file("notes/a.txt") == b"hello"
    assert [(e.name, e.is_dir, e.size) for e in sandbox.list("notes")] == [("a.txt", False, 5)]
    for escape in ("../home/x", "/etc/passwd", "calc/../../repo2"):
        with pytest.raises(ToolError, match="outside the repository"):
            sandbox.read_file(escape)
        with pytest.raises(ToolError, match="outside the repository"):
            sandbox.write_file(escape, b"x")
    assert sandbox.exec(["ln", "-s", "/etc", "link"], timeout=30).ok
    with pytest.raises(ToolError, match="outside the repository"):
        sandbox.read_file("link/passwd")
    with pytest.raises(ToolError, match=r"\.git"):
        sandbox.read_file(".git/config")
    with pytest.raises(ToolError, match="no such file"):
        sandbox.read_file("calc/missing.py")
    with pytest.raises(ToolError, match="not a directory"):
        sandbox.list("calc/ops/arith.py")
    listing = sandbox.list(".")
    assert ".git" not in [e.name for e in listing]
    assert ("calc", True) in [(e.name, e.is_dir) for e in listing]


def test_writing_a_file_keeps_its_mode(sandbox: Sandbox) -> None:
    assert sandbox.exec(["chmod", "+x", "calc/text/fmt.py"], timeout=30).ok
    assert sandbox.exec(["git", "commit", "-qam", "executable"], timeout=30).ok
    sandbox.write_file("calc/text/fmt.py", b"CHANGED\n")
    status = sandbox.exec(["git", "diff", "--summary", "HEAD"], timeout=30)
    assert status.ok and "mode" not in status.stdout


def test_diff_holds_edits_and_new_files_and_reset_undoes_them(sandbox: Sandbox) -> None:
    sandbox.write_file("calc/text/fmt.py", b"CHANGED\n")
    sandbox.write_file("calc/new_module.py", b"NEW = 1\n")
    sandbox.write_file("calc/__pycache__/x.pyc", b"\0")
    assert sandbox.exec(["sh", "-c", "echo made > made_by_command.txt"], timeout=30).ok
    diff = sandbox.diff()
    assert "+CHANGED" in diff and "+NEW = 1" in diff and "+made" in diff
    assert "pycache" not in diff
    sandbox.reset()
    assert sandbox.diff() == ""
    assert not exists(sandbox, "calc/new_module.py")
    assert b"rjust" in sandbox.read_file("calc/text/fmt.py")


def test_files_the_project_ignores_but_the_base_tracks_are_not_diffed_away(
        sandbox: Sandbox) -> None:
    sandbox.write_file(".gitignore", b"calc/ops/\n")
    sandbox.write_file("calc/ops/arith.py", b"CHANGED = 1\n")
    diff = sandbox.diff()
    assert "+CHANGED = 1" in diff
    assert "deleted file" not in diff and "calc/ops/__init__.py" not in diff


def test_a_diff_larger_than_the_output_bound_is_whole(sandbox: Sandbox) -> None:
    lines = "".join(f"VALUE_{n} = {n}\n" for n in range(20_000))
    sandbox.write_file("calc/big.py", lines.encode())
    diff = sandbox.diff()
    assert len(diff) > DEFAULT_OUTPUT_LIMIT and "+VALUE_19999 = 19999\n" in diff
    sandbox.reset()
    assert sandbox.exec(["git", "apply", "-"], timeout=60, stdin=diff.encode()).ok
    assert sandbox.read_file("calc/big.py").decode() == lines


def test_scratch_is_writable_by_commands_and_outside_the_repository(sandbox: Sandbox) -> None:
    wrote = sandbox.exec(["sh", "-c", 'echo report > "$1/note.txt"', "sh", sandbox.scratch_dir],
                         timeout=30)
    assert wrote.ok, wrote.combined()
    assert sandbox.read_scratch("note.txt") == b"report\n"
    assert sandbox.read_scratch("absent.txt") is None
    assert not sandbox.scratch_dir.startswith(sandbox.workdir.rstrip("/") + "/")
    assert sandbox.diff() == ""


def _accept_once(server: socket.socket) -> None:
    with contextlib.suppress(OSError):  # closed by the test before anyone connected
        server.accept()


def test_there_is_no_network_by_default(sandbox: Sandbox) -> None:
    if sandbox.isolation == "none":
        pytest.skip("local without isolation does not cut the network (local-bwrap and docker do)")
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    threading.Thread(target=_accept_once, args=(server,), daemon=True).start()
    probe = (f"import socket,sys\ntry:\n    socket.create_connection(('127.0.0.1', {port}), 3)\n"
             "except OSError:\n    sys.exit(7)\n")
    try:
        result = sandbox.exec(["python3", "-c", probe], timeout=30)
        assert result.exit_code == 7, result.combined()
    finally:
        server.close()


def test_sandboxes_are_independent(opener: Opener, tiny_task: Task) -> None:
    with opener(tiny_task) as first, opener(tiny_task) as other:
        first.write_file("calc/ops/arith.py", b"# gone\n")
        assert first.exec(["git", "commit", "-qam", "later history"], timeout=30).ok
        assert b"def sub" in other.read_file("calc/ops/arith.py")
    with opener(tiny_task) as fresh:
        assert b"def sub" in fresh.read_file("calc/ops/arith.py")


def test_grader_resolves_gold_patches_and_not_empty_ones(opener: Opener, tiny_bank: Bank) -> None:
    for task in tiny_bank.tasks:
        gold = grade(task, task.patch, functools.partial(opener, task))
        assert gold.resolved, (task.instance_id, gold.summary(), gold.log_tail)
        empty = grade(task, "", functools.partial(opener, task))
        assert not empty.resolved and empty.patch_applied


def test_the_oracle_solves_the_case_through_the_tools(opener: Opener, tiny_task: Task) -> None:
    with opener(tiny_task) as box:
        loop = AgentLoop(make_policy("oracle", tiny_task), box, default_tools(tiny_task),
                         AgentBudget())
        trajectory = loop.run(tiny_task.instance_id, NAVIGATION.opening(tiny_task))
        candidate = box.diff()
    assert trajectory.exit_reason == "final_answer"
    assert [s.error for s in trajectory.steps] == [None] * len(trajectory.steps)
    assert "return a - b" in candidate
    assert grade(tiny_task, candidate, lambda: opener(tiny_task)).resolved


def test_git_and_coverage_tools_work(sandbox: Sandbox, tiny_task: Task) -> None:
    tools = default_tools(tiny_task)
    tools["apply_patch"](sandbox, {"patch": tiny_task.patch})
    assert "calc/ops/arith.py" in tools["git_status"](sandbox, {})
    assert "return a - b" in tools["git_diff"](sandbox, {})
    assert "calc/ops/arith.py" in tools["repo_search"](sandbox, {"pattern": "def sub"})
    assert "calc/ops/arith.py:8 function sub" in tools["find_symbol"](sandbox, {"name": "sub"})
    covered = tools["run_tests_with_coverage"](sandbox, {})
    assert "arith" in covered, covered
