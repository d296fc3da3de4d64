"""The local sandbox: a fresh git working copy per case, commands isolated with bubblewrap.

Provisioning is cheap: the base state of each repository is built once per
machine into a template (a git repository holding exactly one commit, the base
state, and no other history), and each case clones it with ``--no-hardlinks``,
so nothing a case writes can reach the template (it is copied, never shared).

Commands run on the project's own environment (``harness.sandbox.environments``),
never the harness's interpreter and packages. With bubblewrap
(``isolation="bwrap"``) they see the system directories, the interpreter's standard
library and that environment read-only, their own workspace read-write, a private
sized /tmp, no network and no host processes; every host site-packages is hidden.
Without it (``isolation="none"``) commands are plain subprocesses that can read the
host. Either way each command joins the case's control group (processes, memory),
and the workspace is a sized tmpfs where the harness may mount one
(``harness.sandbox.limits``); ``enforced`` says which limits hold. The mode is
recorded in each run's ``meta.json``.
"""

from __future__ import annotations

import builtins
import os
import shutil
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Literal

from harness.errors import ConfigError, SandboxError, ToolError
from harness.process import DEFAULT_OUTPUT_LIMIT, ExecResult, run_bounded
from harness.protocols import FILE_LIMIT, DirEntry
from harness.sandbox.bubblewrap import bwrap_argv, bwrap_available
from harness.sandbox.environments import EnvSpec, ensure_local_env
from harness.sandbox.host_files import read_regular, resolve_inside
from harness.sandbox.limits import (
    CaseCgroup,
    Limits,
    disk_full,
    mount_tmpfs,
    parse_size,
    reap_stale,
    unmount,
)
from harness.sandbox.workspace import (
    COMMAND_ENV,
    GIT_IDENTITY,
    reset_to_base,
    stale_base_error,
    within_deadline,
    workspace_diff,
)
from harness.sources import cache_root, source_identity, source_tree
from harness.task import RepoSource

Isolation = Literal["bwrap", "none"]
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


def sandbox_env(home: str, environment: Path) -> dict[str, str]:
    """A small, explicit environment: the project's environment first on PATH."""
    return {"PATH": f"{environment / 'bin'}:/usr/local/bin:/usr/bin:/bin", "HOME": home,
            "TMPDIR": home, "VIRTUAL_ENV": str(environment), **COMMAND_ENV}


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
    scrub_file_lists(repo, repo_source.delete)
    _git(["add", "-A", "--force"], repo)
    _git(["commit", "-q", "--no-verify", "-m", "base"], repo)
    try:
        repo.rename(target)
    except OSError:
        if not target.is_dir():
            raise
    shutil.rmtree(staging, ignore_errors=True)
    return target


# Packaging metadata that lists a distribution's files, one per line (RECORD: "path,hash,size").
FILE_LISTS = ("*.egg-info/SOURCES.txt", "*/*.egg-info/SOURCES.txt", "*.dist-info/RECORD",
              "*/*.dist-info/RECORD", "MANIFEST")


def scrub_file_lists(repo: Path, deleted: Sequence[str]) -> None:
    """Take the deleted (hidden) files out of the packaging metadata that lists files, so
    the base state holds no trace of them (an sdist's ``SOURCES.txt`` names every test)."""
    if not deleted:
        return
    gone = set(deleted)
    for pattern in FILE_LISTS:
        for listing in sorted(repo.glob(pattern)):
            if listing.is_symlink() or not listing.is_file():
                continue
            lines = listing.read_bytes().decode("utf-8", "surrogateescape").splitlines(True)
            kept = [line for line in lines if line.strip().split(",", 1)[0] not in gone]
            if len(kept) != len(lines):
                listing.write_bytes("".join(kept).encode("utf-8", "surrogateescape"))


class LocalSandbox:
    """A case's private working copy on this machine (see the module docstring)."""

    def __init__(self, source: RepoSource, *, isolation: Isolation = "none",
                 network: bool = False, expected_commit: str = "",
                 environment: EnvSpec | None = None, limits: Limits | None = None) -> None:
        template = ensure_template(source)
        self.environment = ensure_local_env(environment or EnvSpec())
        self.limits = limits or Limits()
        reap_stale()
        self.case_root = Path(tempfile.mkdtemp(prefix=f"case-{os.getpid()}-",
                                               dir=_workspaces_dir()))
        self.mounted = mount_tmpfs(self.case_root, parse_size(self.limits.disk))
        self.cgroup = CaseCgroup.create(self.limits)
        self.repo = self.case_root / "repo"
        self.home = self.case_root / "home"
        self.scratch = self.case_root / "scratch"
        try:
            self.home.mkdir()
            self.scratch.mkdir()
            _git(["clone", "-q", "--no-hardlinks", str(template), str(self.repo)],
                 self.case_root)
            _git(["remote", "remove", "origin"], self.repo)
            (self.repo / ".git" / "info").mkdir(exist_ok=True)
            (self.repo / ".git" / "info" / "exclude").write_text(EXCLUDES)
            self.base_commit = _git(["rev-parse", "HEAD"], self.repo).stdout.strip()
        except BaseException:
            self.close()
            raise
        if expected_commit and expected_commit != self.base_commit:
            self.close()
            raise stale_base_error(template_key(source), self.base_commit, expected_commit)
        self.workdir = str(self.repo)
        self.scratch_dir = str(self.scratch)
        self.isolation: Isolation = isolation
        self.network = network
        self.deadline: float | None = None

    @property
    def enforced(self) -> list[str]:
        """The limits that hold for this case on this machine."""
        held = ["pids", "memory"] if self.cgroup is not None else []
        held += ["disk"] if self.mounted else []
        return held + (["tmp"] if self.isolation == "bwrap" else [])

    def __enter__(self) -> LocalSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def exec(self, command: Sequence[str], *, timeout: float, stdin: bytes | None = None,
             cwd: str = ".", output_limit: int = DEFAULT_OUTPUT_LIMIT) -> ExecResult:
        """Run a command in the repository (``cwd`` relative to it), isolated and limited as
        configured; whatever it leaves running is killed when it ends."""
        directory = str(self._inside(cwd))
        timeout = within_deadline(timeout, self.deadline)
        home = "/tmp" if self.isolation == "bwrap" else str(self.home)
        env = sandbox_env(home, self.environment)
        argv = list(command)
        if self.isolation == "bwrap":
            argv = bwrap_argv(argv, workdir=directory, env=env, network=self.network,
                              writable=[str(self.repo), str(self.scratch)],
                              readable=[str(self.environment)],
                              tmp_size=parse_size(self.limits.tmp))
        if self.cgroup is not None:
            argv = [*self.cgroup.prefix(), *argv]
        else:
            argv = ["prlimit", f"--as={parse_size(self.limits.memory)}", "--", *argv]
        try:
            return run_bounded(argv, cwd=directory, env=env, timeout=timeout, stdin=stdin,
                               limit=output_limit)
        except OSError as exc:
            raise SandboxError(f"could not start {command[0]!r}: {exc}") from exc
        finally:
            if self.cgroup is not None:
                self.cgroup.kill_all()

    def read_file(self, path: str) -> bytes:
        data = read_regular(self._inside(path), FILE_LIMIT)
        if data is None:
            raise ToolError(f"{path}: no such file")
        return data

    def write_file(self, path: str, data: bytes) -> None:
        target = self._inside(path)
        if target.is_symlink() or (target.exists() and not target.is_file()):
            raise ToolError(f"{path}: not a regular file")
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
        return read_regular(self.scratch / name, FILE_LIMIT)

    def take_scratch(self, name: str) -> bytes:
        data = read_regular(self.scratch / name, FILE_LIMIT)
        if data is None:
            raise ToolError(f"expected {name} in the scratch directory, as a regular file")
        (self.scratch / name).unlink()
        return data

    def limits_reached(self) -> builtins.list[str]:
        reached = self.cgroup.reached() if self.cgroup is not None else []
        return reached + (["disk"] if self.mounted and disk_full(self.case_root) else [])

    def diff(self) -> str:
        return workspace_diff(self)

    def reset(self) -> None:
        reset_to_base(self)

    def close(self) -> None:
        if self.cgroup is not None:
            self.cgroup.close()
        if self.mounted:
            unmount(self.case_root)
        shutil.rmtree(self.case_root, ignore_errors=True)

    def _inside(self, path: str) -> Path:
        """``path`` resolved within the repository (links followed only inside it); refuses
        anything that leaves it, and the .git directory."""
        target = resolve_inside(self.repo, path)
        if ".git" in target.relative_to(self.repo).parts:
            raise ToolError(f"{path}: the .git directory is not accessible through this tool")
        return target


def _workspaces_dir() -> Path:
    directory = cache_root() / "workspaces"
    directory.mkdir(parents=True, exist_ok=True)
    return directory
