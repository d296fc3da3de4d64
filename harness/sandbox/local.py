"""The local sandbox: a fresh git working copy per case, commands isolated with bubblewrap.

Provisioning is cheap: the base state of each repository is built once per
machine into a template (a git repository holding exactly one commit, the base
state, and no other history), and each case clones it with ``git clone
--local``, which hard-links the immutable object files instead of copying them;
only the working tree is written.

Isolation: with bubblewrap (``isolation="bwrap"``) commands see the system
directories and the Python installation read-only, their own workspace
read-write, a private /tmp, no network and no host processes. Without it
(``isolation="none"``) commands are plain subprocesses in their own process
group: they are bounded in time and output but can read the host. The mode is
recorded in each run's ``meta.json``.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal, Protocol

from harness.errors import ConfigError, SandboxError, ToolError
from harness.process import ExecResult, run_bounded
from harness.protocols import DirEntry
from harness.sandbox.bubblewrap import bwrap_argv, bwrap_available
from harness.sources import cache_root, source_identity, source_tree
from harness.task import RepoSource

Isolation = Literal["bwrap", "none"]
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "harness", "GIT_AUTHOR_EMAIL": "harness@localhost",
    "GIT_COMMITTER_NAME": "harness", "GIT_COMMITTER_EMAIL": "harness@localhost",
    "GIT_AUTHOR_DATE": "2000-01-01T00:00:00Z", "GIT_COMMITTER_DATE": "2000-01-01T00:00:00Z",
}
# Every sandbox command's environment, whatever the backend (each adds PATH and HOME).
COMMAND_ENV = {"LANG": "C.UTF-8", "PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1",
               "PYTHONUNBUFFERED": "1", **GIT_IDENTITY}
_IGNORED_IN_SOURCE = shutil.ignore_patterns(".git", "__pycache__", ".pytest_cache", "*.pyc")
EXCLUDES = "__pycache__/\n*.pyc\n.pytest_cache/\n"


def resolve_isolation(requested: str) -> Isolation:
    """Turn ``auto|bwrap|none`` into the isolation actually used."""
    if requested == "none":
        return "none"
    if bwrap_available():
        return "bwrap"
    if requested == "bwrap":
        raise ConfigError("bubblewrap isolation was requested but `bwrap` is not usable here; "
                          "install it (apt-get install bubblewrap) or use --isolation none")
    return "none"


def sandbox_env(home: str) -> dict[str, str]:
    """A small, explicit environment: the harness's Python first on PATH.

    The project runs on the harness's interpreter, so pytest plugins installed
    for the harness itself (xdist, hypothesis, anyio, the harness plugin) are
    not the project's: their autoloading is off (it cost ~1.4 s per pytest run).
    """
    return {"PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
            "HOME": home, "TMPDIR": home, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1", **COMMAND_ENV}


def stale_base_error(where: str, found: str, expected: str) -> SandboxError:
    """The error for a base state that is not the commit the task was made at."""
    return SandboxError(f"the base state of {where} is commit {found}, but the task expects "
                        f"{expected}: the source tree changed since it was built; rebuild the "
                        "bank")


class Workspace(Protocol):
    """What ``workspace_diff`` and ``reset_to_base`` need of a sandbox, whatever its backend."""

    base_commit: str

    @property
    def scratch_dir(self) -> str: ...

    def exec(self, command: Sequence[str], *, timeout: float, stdin: bytes | None = None,
             cwd: str = ".") -> ExecResult: ...

    def take_scratch(self, name: str) -> bytes: ...


def workspace_diff(box: Workspace) -> str:
    """Every change since the base commit, new files included, as a binary-safe git patch.

    It stages into a scratch index that starts from the base tree, so files tracked
    there stay tracked even where the project's .gitignore matches them (a generated
    version.py, egg-info), and the real index is left alone.
    """
    index, base = ".git/harness-diff-index", box.base_commit
    script = (f"GIT_INDEX_FILE={index} git read-tree {base} && "
              f"GIT_INDEX_FILE={index} git add -A && "
              f"GIT_INDEX_FILE={index} git diff --cached --binary "
              f"--output={box.scratch_dir}/workspace.diff {base}; "
              f"status=$?; rm -f {index}; exit $status")
    result = box.exec(["sh", "-c", script], timeout=120)
    if not result.ok:
        raise SandboxError(f"could not compute the workspace diff: {result.combined()[-800:]}")
    return box.take_scratch("workspace.diff").decode("utf-8", errors="surrogateescape")


def reset_to_base(box: Workspace) -> None:
    """Back to the base state: tracked files restored, untracked files removed."""
    for args in (["reset", "-q", "--hard", box.base_commit], ["clean", "-qfdx"]):
        result = box.exec(["git", *args], timeout=120)
        if not result.ok:
            raise SandboxError(f"git {args[0]} failed: {result.combined()[-800:]}")


def _git(args: Sequence[str], cwd: Path, stdin: bytes | None = None) -> ExecResult:
    result = run_bounded(["git", *args], cwd=str(cwd), env={**os.environ, **GIT_IDENTITY},
                         timeout=120, stdin=stdin)
    if not result.ok:
        raise SandboxError(f"git {' '.join(args[:2])} failed in {cwd}: {result.combined()[-800:]}")
    return result


def template_key(source: RepoSource) -> str:
    """Templates are shared by every case with the same source tree and base patch."""
    return source_identity(source)


def ensure_template(repo_source: RepoSource) -> Path:
    """Build (once, race-free across workers) the base-state repository of a source."""
    target = cache_root() / "templates" / template_key(repo_source)
    if target.is_dir():
        return target
    source = source_tree(repo_source)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".building-", dir=target.parent))
    repo = staging / "repo"
    shutil.copytree(source, repo, ignore=_IGNORED_IN_SOURCE, symlinks=True)
    _git(["init", "-q", "-b", "main"], repo)
    if repo_source.base_patch:
        _git(["apply", "--whitespace=nowarn", "-"], repo, stdin=repo_source.base_patch.encode())
    for hidden in repo_source.delete:
        path = repo / hidden
        if not path.is_file() or not path.resolve().is_relative_to(repo.resolve()):
            raise SandboxError(f"cannot delete {hidden!r} from the base state: no such file")
        path.unlink()
    _git(["add", "-A", "--force"], repo)
    _git(["commit", "-q", "--no-verify", "-m", "base"], repo)
    try:
        repo.rename(target)
    except OSError:
        if not target.is_dir():
            raise
    shutil.rmtree(staging, ignore_errors=True)
    return target


class LocalSandbox:
    """A case's private working copy on this machine (see the module docstring)."""

    def __init__(self, source: RepoSource, *, isolation: Isolation = "none",
                 network: bool = False, expected_commit: str = "") -> None:
        template = ensure_template(source)
        self.case_root = Path(tempfile.mkdtemp(prefix="case-", dir=_workspaces_dir()))
        self.repo = self.case_root / "repo"
        self.home = self.case_root / "home"
        self.scratch = self.case_root / "scratch"
        self.home.mkdir()
        self.scratch.mkdir()
        # A plain path clone hard-links objects, and copies them across file systems.
        _git(["clone", "-q", str(template), str(self.repo)], self.case_root)
        _git(["remote", "remove", "origin"], self.repo)
        (self.repo / ".git" / "info").mkdir(exist_ok=True)
        (self.repo / ".git" / "info" / "exclude").write_text(EXCLUDES)
        self.base_commit = _git(["rev-parse", "HEAD"], self.repo).stdout.strip()
        if expected_commit and expected_commit != self.base_commit:
            self.close()
            raise stale_base_error(template_key(source), self.base_commit, expected_commit)
        self.workdir = str(self.repo)
        self.scratch_dir = str(self.scratch)
        self.isolation: Isolation = isolation
        self.network = network

    def __enter__(self) -> LocalSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def exec(self, command: Sequence[str], *, timeout: float, stdin: bytes | None = None,
             cwd: str = ".") -> ExecResult:
        """Run a command in the repository (``cwd`` relative to it), isolated as configured."""
        directory = str(self._inside(cwd))
        home = "/tmp" if self.isolation == "bwrap" else str(self.home)
        env = sandbox_env(home)
        argv = list(command)
        if self.isolation == "bwrap":
            argv = bwrap_argv(argv, workdir=directory, env=env, network=self.network,
                              writable=[str(self.repo), str(self.scratch)])
        try:
            return run_bounded(argv, cwd=directory, env=env, timeout=timeout, stdin=stdin)
        except OSError as exc:
            raise SandboxError(f"could not start {command[0]!r}: {exc}") from exc

    def read_file(self, path: str) -> bytes:
        target = self._inside(path)
        if not target.is_file():
            raise ToolError(f"{path}: no such file")
        return target.read_bytes()

    def write_file(self, path: str, data: bytes) -> None:
        target = self._inside(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)

    def list(self, path: str) -> list[DirEntry]:
        target = self._inside(path)
        if not target.is_dir():
            raise ToolError(f"{path}: not a directory")
        entries = []
        for child in sorted(target.iterdir(), key=lambda p: p.name):
            if child.name == ".git":
                continue
            is_dir = child.is_dir() and not child.is_symlink()
            entries.append(DirEntry(child.name, is_dir, 0 if is_dir else child.lstat().st_size))
        return entries

    def read_scratch(self, name: str) -> bytes | None:
        target = self.scratch / name
        return target.read_bytes() if target.is_file() else None

    def diff(self) -> str:
        return workspace_diff(self)

    def take_scratch(self, name: str) -> bytes:
        """Read and remove a file a command wrote to the scratch directory (unbounded, unlike
        command output)."""
        target = self.scratch / name
        try:
            data = target.read_bytes()
        except OSError as exc:
            raise SandboxError(f"expected {name} in the scratch directory: {exc}") from exc
        target.unlink()
        return data

    def reset(self) -> None:
        reset_to_base(self)

    def close(self) -> None:
        shutil.rmtree(self.case_root, ignore_errors=True)

    def _inside(self, path: str) -> Path:
        """Resolve ``path`` against the repository; refuse anything that leaves it."""
        root = self.repo.resolve()
        target = (root / path).resolve()
        if target != root and root not in target.parents:
            raise ToolError(f"{path}: outside the repository; paths are relative to its root")
        if ".git" in target.relative_to(root).parts:
            raise ToolError(f"{path}: the .git directory is not accessible through this tool")
        return target


def _workspaces_dir() -> Path:
    directory = cache_root() / "workspaces"
    directory.mkdir(parents=True, exist_ok=True)
    return directory

