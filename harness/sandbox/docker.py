"""The Docker sandbox: one container per case, from the task's instance image.

The instance image (``harness.sandbox.images``, built by the caller) holds the
repository at its base state at /repo; each case starts a fresh container of it with an init process
(so removal is immediate), no network unless asked, and CPU, memory and PID
limits, and removes it with force on close.

Commands run through ``docker exec`` under a small shell wrapper that starts
them in a new session and, when they exit, kills whatever they left in their
process group; on timeout the harness kills that group from outside. Output is
bounded like ``harness.process`` (its sink is reused). File methods copy through
the engine's archive API, after resolving the path inside the container
(``realpath``), so symbolic links cannot lead a path out of the repository.

What it protects against: a command reaching the host's files, processes or
network, or exhausting the host's memory, CPU or PIDs. What not: kernel
exploits and container escapes (the container runs as root, with Docker's
default capabilities and ``no-new-privileges``).
"""

from __future__ import annotations

import base64
import binascii
import builtins
import contextlib
import io
import posixpath
import re
import secrets
import tarfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.errors import SandboxError, ToolError
from harness.process import DEFAULT_OUTPUT_LIMIT, ExecResult, _BoundedSink
from harness.protocols import FILE_LIMIT, DirEntry
from harness.sandbox.backends import shared_docker_client
from harness.sandbox.images import (
    BASE_REPO,
    CONTAINER_PATH,
    CONTROL,
    LABEL_KIND,
    REPO,
    SCRATCH,
)
from harness.sandbox.limits import Limits, parse_size
from harness.sandbox.workspace import (
    COMMAND_ENV,
    reset_to_base,
    stale_base_error,
    within_deadline,
    workspace_diff,
)

if TYPE_CHECKING:
    from docker import DockerClient
    from docker.models.containers import Container

with contextlib.suppress(ImportError):  # docker_client() explains what to install
    from docker.errors import DockerException, NotFound

_INTERNAL_LIMIT = 64 << 20
_KILL_GRACE = 5.0
# $1 is a token naming the stdin and pid files; the rest is the command.
_WRAPPER = (
    'ctl=' + CONTROL + '; t=$1; shift; mkdir -p "$ctl"; '
    'if [ -f "$ctl/$t.in" ]; then exec 3<"$ctl/$t.in"; rm -f "$ctl/$t.in"; '
    'else exec 3</dev/null; fi; '
    'setsid "$@" <&3 3<&- & pid=$!; echo "$pid" > "$ctl/$t.pid"; exec 3<&-; '
    'wait "$pid" 2>/dev/null; status=$?; kill -KILL -- "-$pid" 2>/dev/null; '
    'kill -KILL -1 2>/dev/null; rm -f "$ctl/$t.pid"; '
    # until the first process has reaped what was killed, it still counts against pids.max
    'i=0; while [ $i -lt 50 ] && [ "$(cat /sys/fs/cgroup/pids/pids.current '
    '/sys/fs/cgroup/pids.current 2>/dev/null | head -1)" -gt 16 ] 2>/dev/null; do '
    'sleep 0.1; i=$((i+1)); done; exit "$status"'
)
# The container's first process: it ignores every signal it can, and a first process
# cannot be killed from inside its own namespace, so a case that kills every process
# (`kill -9 -1`) takes down its commands, never its container. It reaps orphans.
_FIRST_PROCESS = (
    "import os, signal, time\n"
    "for s in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1,"
    " signal.SIGUSR2):\n    signal.signal(s, signal.SIG_IGN)\n"
    "while True:\n    try:\n        os.wait()\n    except ChildProcessError:\n"
    "        time.sleep(1)\n")
_STAT_LIMITS = ("cat /sys/fs/cgroup/pids/pids.events /sys/fs/cgroup/pids.events "
                "/sys/fs/cgroup/memory/memory.oom_control /sys/fs/cgroup/memory.events "
                f'2>/dev/null; df -P "$1" /tmp {SCRATCH} 2>/dev/null')
# $1 a path, $2 the most bytes to read: exit 3 when not a regular file, 4 when too large.
_READ = ('[ -f "$1" ] && [ ! -L "$1" ] || exit 3; [ "$(stat -c %s -- "$1")" -le "$2" ] || '
         'exit 4; exec base64 -w 0 -- "$1"')
_WRITE = 'mkdir -p -- "$(dirname -- "$1")" && cat > "$1" && chmod "$2" -- "$1"'
_KILLER = (
    'f=' + CONTROL + '/$1.pid; i=0; while [ ! -s "$f" ] && [ $i -lt 50 ]; do '
    'sleep 0.1; i=$((i+1)); done; [ -s "$f" ] && kill -KILL -- "-$(cat "$f")"'
)
_LIST = r'test -d "$1" && exec find "$1" -mindepth 1 -maxdepth 1 -printf "%y\t%s\t%f\0"'
_RESOLVE = 'p=$(realpath -m -- "$1") && printf "%s\\n" "$p" && if [ -f "$p" ]; then ' \
           'stat -c %a -- "$p"; fi'


@dataclass(frozen=True)
class Layout:
    """Where an image keeps the repository and which programs its commands find."""

    repo: str
    path: str
    base_repo: str | None = None
    """Copied into the repository's tmpfs at start (the harness's own images); None when
    the repository is used where the image holds it (a prebuilt image)."""
    hide_later_history: bool = False
    """Drop every ref but HEAD and prune what they kept (prebuilt images are clones that
    may hold the commits after the base, the fix among them)."""


HARNESS_LAYOUT = Layout(repo=REPO, path=CONTAINER_PATH, base_repo=BASE_REPO)
PREBUILT_LAYOUT = Layout(  # SWE-bench, SWE-smith and R2E-Gym instance images
    repo="/testbed", hide_later_history=True,
    path="/opt/miniconda3/envs/testbed/bin:/opt/miniconda3/bin:/usr/local/sbin:/usr/local/bin"
         ":/usr/sbin:/usr/bin:/sbin:/bin")
_HIDE_HISTORY = ('head=$(git symbolic-ref -q HEAD || true); '
                 'git for-each-ref --format="%(refname)" | while read -r ref; do '
                 '[ "$ref" = "$head" ] || git update-ref -d "$ref"; done; '
                 'git stash clear 2>/dev/null; git reflog expire --expire=now --all && '
                 'git gc -q --prune=now')
_FIRST_PROCESS_COMMAND = ('if command -v python3 >/dev/null; then exec python3 -c "$0"; fi; '
                          "trap '' HUP INT QUIT TERM USR1 USR2; "
                          'while :; do sleep 3600 & wait; done')


class DockerSandbox:
    """A case's private container (see the module docstring)."""

    isolation = "docker"
    scratch_dir = SCRATCH

    def __init__(self, image: str, *, network: bool = False, expected_commit: str = "",
                 limits: Limits | None = None, client: DockerClient | None = None,
                 layout: Layout = HARNESS_LAYOUT) -> None:
        """Start a container of ``image``: an instance image of the harness
        (``ensure_instance_image``), or a prebuilt one with ``PREBUILT_LAYOUT``."""
        self.client = client or shared_docker_client()
        self.network = network
        self.layout = layout
        self.workdir = layout.repo
        self.deadline: float | None = None
        self._start(image, limits or Limits())
        self.base_commit = self._git_head()
        if expected_commit and expected_commit != self.base_commit:
            self.close()
            if self.layout.base_repo is None:
                raise stale_base_error(f"image {image}", self.base_commit, expected_commit,
                                       "the image does not hold the row's base commit; use "
                                       "the row's own image (or rebuild its stand-in)")
            raise stale_base_error(f"image {image}", self.base_commit, expected_commit)

    def _start(self, image: str, limits: Limits) -> Container:
        """A container whose repository, /tmp and scratch directory are sized tmpfs mounts;
        the repository is copied in from the image."""
        tmpfs = {"/tmp": f"size={parse_size(limits.tmp)},mode=1777,exec",
                 SCRATCH: f"size={parse_size(limits.tmp)},mode=777"}
        if self.layout.base_repo is not None:
            tmpfs[self.layout.repo] = f"size={parse_size(limits.disk)},mode=755,exec"
        try:
            self.container = self.client.containers.run(
                image, ["sh", "-c", _FIRST_PROCESS_COMMAND, _FIRST_PROCESS], detach=True,
                working_dir="/",
                network_mode="bridge" if self.network else "none",
                nano_cpus=int(limits.cpus * 1e9), mem_limit=limits.memory,
                memswap_limit=limits.memory, pids_limit=limits.pids, tmpfs=tmpfs,
                security_opt=["no-new-privileges"], labels={LABEL_KIND: "case"})
        except DockerException as exc:
            raise SandboxError(f"could not start a container of {image}: {exc}") from exc
        prepared = self._exec(["mkdir", "-p", CONTROL], timeout=60, cwd="/")
        if self.layout.base_repo is not None and prepared.ok:
            prepared = self._exec(["cp", "-a", f"{self.layout.base_repo}/.",
                                   f"{self.layout.repo}/"], timeout=300, cwd="/")
        if self.layout.hide_later_history and prepared.ok:
            prepared = self._exec(["sh", "-c", _HIDE_HISTORY], timeout=600,
                                  cwd=self.layout.repo)
        if not prepared.ok:
            self.close()
            raise SandboxError(f"could not prepare the container of {image}: "
                               f"{prepared.combined()[-500:]}")
        return self.container

    def _git_head(self) -> str:
        result = self.exec(["git", "rev-parse", "HEAD"], timeout=60)
        if not result.ok:
            self.close()
            raise SandboxError(f"no git repository at {self.workdir}: "
                               f"{result.combined()[-500:]}")
        return result.stdout.strip()

    def environment(self) -> dict[str, str]:
        """The environment of every command: explicit, like the local sandbox's."""
        return {"PATH": self.layout.path, "HOME": "/root", **COMMAND_ENV}

    def __enter__(self) -> DockerSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ commands

    def exec(self, command: Sequence[str], *, timeout: float, stdin: bytes | None = None,
             cwd: str = ".", output_limit: int = DEFAULT_OUTPUT_LIMIT) -> ExecResult:
        """Run a command in the repository (``cwd`` relative to it), bounded in time and
        output; on timeout its whole process group is killed, and when it ends every
        process it left behind."""
        directory = self.workdir if cwd in (".", "") else self._inside(cwd)
        return self._exec(command, timeout=within_deadline(timeout, self.deadline), stdin=stdin,
                          cwd=directory, limit=output_limit)

    def _exec(self, command: Sequence[str], *, timeout: float, stdin: bytes | None = None,
              cwd: str = "", limit: int = _INTERNAL_LIMIT) -> ExecResult:
        token = secrets.token_hex(8)
        started = time.monotonic()
        if stdin is not None:
            self._put(CONTROL, f"{token}.in", stdin, 0o600)
        api = self.client.api
        try:
            exec_id = api.exec_create(self.container.id, ["bash", "-c", _WRAPPER, "bash", token,
                                                          *command],
                                      environment=self.environment(),
                                      workdir=cwd or self.workdir)["Id"]
            stream = api.exec_start(exec_id, stream=True, demux=True)
        except DockerException as exc:
            raise SandboxError(f"could not run {command[0]!r} in the container: {exc}") from exc
        sinks = (_BoundedSink(limit), _BoundedSink(limit))
        reader = threading.Thread(target=_drain_frames, args=(stream, sinks), daemon=True)
        reader.start()
        reader.join(timeout)
        timed_out = reader.is_alive()
        if timed_out:
            self._kill_group(token)
            reader.join(_KILL_GRACE)
        exit_code = self._exit_code(exec_id, timed_out)
        if exit_code in (126, 127) and "setsid: failed to execute" in sinks[1].text():
            raise SandboxError(f"could not start {command[0]!r}: {sinks[1].text().strip()}")
        return ExecResult(exit_code=exit_code, stdout=sinks[0].text(), stderr=sinks[1].text(),
                          timed_out=timed_out, truncated=any(s.dropped for s in sinks),
                          seconds=time.monotonic() - started)

    def _kill_group(self, token: str) -> None:
        try:
            self.container.exec_run(["bash", "-c", _KILLER, "bash", token])
        except DockerException as exc:
            raise SandboxError(f"could not kill a timed-out command: {exc}") from exc

    def _exit_code(self, exec_id: str, timed_out: bool) -> int:
        try:
            code = self.client.api.exec_inspect(exec_id)["ExitCode"]
        except DockerException as exc:
            raise SandboxError(f"could not inspect a command's exit: {exc}") from exc
        return -9 if timed_out or code is None else int(code)

    # ------------------------------------------------------------------ files

    def read_file(self, path: str) -> bytes:
        target, _ = self._resolve(path)
        data = self._get(target)
        if data is None:
            raise ToolError(f"{path}: no such file")
        return data

    def write_file(self, path: str, data: bytes) -> None:
        target, mode = self._resolve(path)
        self._write(target, data, mode or 0o644)

    def list(self, path: str) -> list[DirEntry]:
        target, _ = self._resolve(path)
        result = self._exec(["sh", "-c", _LIST, "sh", target], timeout=60)
        if not result.ok:
            raise ToolError(f"{path}: not a directory")
        entries = []
        for record in filter(None, result.stdout.split("\0")):
            kind, size, name = record.split("\t", 2)
            if name != ".git":
                entries.append(DirEntry(name, kind == "d", 0 if kind == "d" else int(size)))
        return sorted(entries, key=lambda e: e.name)

    def read_scratch(self, name: str) -> bytes | None:
        return self._get(posixpath.join(SCRATCH, name))

    def take_scratch(self, name: str) -> bytes:
        target = posixpath.join(SCRATCH, name)
        data = self._get(target)
        if data is None:
            raise ToolError(f"expected {name} in the scratch directory, as a regular file")
        self._exec(["rm", "-f", "--", target], timeout=60)
        return data

    def limits_reached(self) -> builtins.list[str]:
        result = self._exec(["sh", "-c", _STAT_LIMITS, "sh", self.workdir], timeout=60, cwd="/")
        found = []
        if re.search(r"^max [1-9]", result.stdout, re.M):
            found.append("pids")
        if re.search(r"^oom_kill [1-9]\d*$", result.stdout, re.M):
            found.append("memory")
        for line in result.stdout.splitlines():
            fields = line.split()
            if len(fields) == 6 and fields[3].isdigit() and int(fields[3]) < 1024:
                found.append("disk")
        return sorted(set(found))

    def diff(self) -> str:
        return workspace_diff(self)

    def reset(self) -> None:
        reset_to_base(self)

    def close(self) -> None:
        """Remove the container (killed, not stopped: nothing in it needs a grace period)."""
        try:
            self.container.remove(force=True)
        except NotFound:
            return
        except DockerException as exc:
            raise SandboxError(f"could not remove container {self.container.short_id}: "
                               f"{exc}") from exc

    # ------------------------------------------------------------------ plumbing

    def _inside(self, path: str) -> str:
        return self._resolve(path)[0]

    def _resolve(self, path: str) -> tuple[str, int | None]:
        """The container path of ``path`` (symbolic links resolved in the container) and the
        mode of the file there, if any; refuses anything outside the repository or in .git."""
        repo = self.workdir
        result = self._exec(["sh", "-c", _RESOLVE, "sh", posixpath.join(repo, path)],
                            timeout=60)
        lines = result.stdout.splitlines()
        if not result.ok or not lines:
            raise SandboxError(f"could not resolve {path!r} in the container: "
                               f"{result.combined()[-500:]}")
        target = lines[0]
        if target != repo and not target.startswith(repo + "/"):
            raise ToolError(f"{path}: outside the repository; paths are relative to its root")
        if ".git" in posixpath.relpath(target, repo).split("/"):
            raise ToolError(f"{path}: the .git directory is not accessible through this tool")
        return target, int(lines[1], 8) if len(lines) > 1 else None

    def _get(self, target: str, limit: int = FILE_LIMIT) -> bytes | None:
        """A regular file's bytes (a link is not followed), read inside the container: the
        repository and scratch directory are tmpfs mounts, which the archive API cannot see.
        None if it is not a regular file; ``ToolError`` when it is larger than ``limit``."""
        result = self._exec(["sh", "-c", _READ, "sh", target, str(limit)], timeout=120,
                            limit=limit * 4 // 3 + 4096, cwd="/")
        if result.exit_code == 3:
            return None
        name = posixpath.basename(target)
        if result.exit_code == 4:
            raise ToolError(f"{name} is larger than {limit} bytes; the harness reads files up "
                            "to that size")
        if not result.ok or result.truncated:
            raise SandboxError(f"could not read {target} in the container: {result.stderr[-300:]}")
        try:
            return base64.b64decode(result.stdout, validate=True)
        except binascii.Error as exc:
            raise SandboxError(f"could not read {target} in the container: {exc}") from exc

    def _write(self, target: str, data: bytes, mode: int) -> None:
        """Write a file inside the container (parents created) from the command's stdin."""
        result = self._exec(["sh", "-c", _WRITE, "sh", target, f"{mode:o}"], timeout=120,
                            stdin=data, cwd="/")
        if not result.ok:
            raise SandboxError(f"could not write {target} in the container: "
                               f"{result.combined()[-300:]}")

    def _put(self, directory: str, name: str, data: bytes, mode: int) -> None:
        """Write ``directory/name`` (parents created) through the archive API."""
        buffer = io.BytesIO()
        with tarfile.open(fileobj=buffer, mode="w") as bundle:
            info = tarfile.TarInfo(name)
            info.size, info.mode, info.mtime = len(data), mode, int(time.time())
            bundle.addfile(info, io.BytesIO(data))
        try:
            if not self.container.put_archive(directory, buffer.getvalue()):
                raise SandboxError(f"the engine refused to write {name} under {directory}")
        except DockerException as exc:
            raise SandboxError(f"could not copy {name} into the container: {exc}") from exc


def _drain_frames(stream: Iterable[tuple[bytes | None, bytes | None]],
                  sinks: tuple[_BoundedSink, _BoundedSink]) -> None:
    """Feed demultiplexed exec output into the bounded sinks until the stream ends."""
    for out, err in stream:
        if out:
            sinks[0].feed(out)
        if err:
            sinks[1].feed(err)
