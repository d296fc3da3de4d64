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

import contextlib
import io
import posixpath
import secrets
import tarfile
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from harness.errors import SandboxError, ToolError
from harness.process import DEFAULT_OUTPUT_LIMIT, ExecResult, _BoundedSink
from harness.protocols import DirEntry
from harness.sandbox.backends import shared_docker_client
from harness.sandbox.images import (
    CONTAINER_PATH,
    CONTROL,
    LABEL_KIND,
    REPO,
    SCRATCH,
)
from harness.sandbox.local import COMMAND_ENV, reset_to_base, stale_base_error, workspace_diff

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
    'wait "$pid" 2>/dev/null; status=$?; kill -KILL -- "-$pid" 2>/dev/null; rm -f "$ctl/$t.pid"; '
    'exit "$status"'
)
_KILLER = (
    'f=' + CONTROL + '/$1.pid; i=0; while [ ! -s "$f" ] && [ $i -lt 50 ]; do '
    'sleep 0.1; i=$((i+1)); done; [ -s "$f" ] && kill -KILL -- "-$(cat "$f")"'
)
_LIST = r'test -d "$1" && exec find "$1" -mindepth 1 -maxdepth 1 -printf "%y\t%s\t%f\0"'
_RESOLVE = 'p=$(realpath -m -- "$1") && printf "%s\\n" "$p" && if [ -f "$p" ]; then ' \
           'stat -c %a -- "$p"; fi'


@dataclass(frozen=True)
class Limits:
    """Resources of one case's container."""

    cpus: float = 2.0
    memory: str = "4g"
    pids: int = 2048


def container_env() -> dict[str, str]:
    """The environment of every command: explicit, like the local sandbox's."""
    return {"PATH": CONTAINER_PATH, "HOME": "/root", **COMMAND_ENV}


class DockerSandbox:
    """A case's private container (see the module docstring)."""

    isolation = "docker"
    workdir = REPO
    scratch_dir = SCRATCH

    def __init__(self, image: str, *, network: bool = False, expected_commit: str = "",
                 limits: Limits | None = None, client: DockerClient | None = None) -> None:
        """Start a container of ``image``, an instance image (``ensure_instance_image``)."""
        self.client = client or shared_docker_client()
        self.network = network
        self.container = self._start(image, limits or Limits())
        self.base_commit = self._git_head()
        if expected_commit and expected_commit != self.base_commit:
            self.close()
            raise stale_base_error(f"image {image}", self.base_commit, expected_commit)

    def _start(self, image: str, limits: Limits) -> Container:
        try:
            return self.client.containers.run(
                image, ["sleep", "infinity"], detach=True, init=True, working_dir=REPO,
                network_mode="bridge" if self.network else "none",
                nano_cpus=int(limits.cpus * 1e9), mem_limit=limits.memory,
                memswap_limit=limits.memory, pids_limit=limits.pids,
                security_opt=["no-new-privileges"], labels={LABEL_KIND: "case"})
        except DockerException as exc:
            raise SandboxError(f"could not start a container of {image}: {exc}") from exc

    def _git_head(self) -> str:
        result = self.exec(["git", "rev-parse", "HEAD"], timeout=60)
        if not result.ok:
            self.close()
            raise SandboxError(f"no git repository at {REPO}: {result.combined()[-500:]}")
        return result.stdout.strip()

    def __enter__(self) -> DockerSandbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------ commands

    def exec(self, command: Sequence[str], *, timeout: float, stdin: bytes | None = None,
             cwd: str = ".") -> ExecResult:
        """Run a command in the repository (``cwd`` relative to it), bounded in time and
        output; on timeout its whole process group is killed."""
        directory = REPO if cwd in (".", "") else self._inside(cwd)
        return self._exec(command, timeout=timeout, stdin=stdin, cwd=directory,
                          limit=DEFAULT_OUTPUT_LIMIT)

    def _exec(self, command: Sequence[str], *, timeout: float, stdin: bytes | None = None,
              cwd: str = REPO, limit: int = _INTERNAL_LIMIT) -> ExecResult:
        token = secrets.token_hex(8)
        started = time.monotonic()
        if stdin is not None:
            self._put(CONTROL, f"{token}.in", stdin, 0o600)
        api = self.client.api
        try:
            exec_id = api.exec_create(self.container.id, ["bash", "-c", _WRAPPER, "bash", token,
                                                          *command],
                                      environment=container_env(), workdir=cwd)["Id"]
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
        self._put(REPO, posixpath.relpath(target, REPO), data, mode or 0o644)

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
        """Read and remove a file a command wrote to the scratch directory (unbounded, unlike
        command output)."""
        target = posixpath.join(SCRATCH, name)
        data = self._get(target)
        if data is None:
            raise SandboxError(f"expected {name} in the scratch directory")
        self._exec(["rm", "-f", "--", target], timeout=60)
        return data

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
        result = self._exec(["sh", "-c", _RESOLVE, "sh", posixpath.join(REPO, path)],
                            timeout=60)
        lines = result.stdout.splitlines()
        if not result.ok or not lines:
            raise SandboxError(f"could not resolve {path!r} in the container: "
                               f"{result.combined()[-500:]}")
        target = lines[0]
        if target != REPO and not target.startswith(REPO + "/"):
            raise ToolError(f"{path}: outside the repository; paths are relative to its root")
        if ".git" in posixpath.relpath(target, REPO).split("/"):
            raise ToolError(f"{path}: the .git directory is not accessible through this tool")
        return target, int(lines[1], 8) if len(lines) > 1 else None

    def _get(self, target: str) -> bytes | None:
        """A regular file's bytes through the archive API; None if it is not one."""
        try:
            chunks, _ = self.container.get_archive(target)
            archive = b"".join(chunks)
        except NotFound:
            return None
        except DockerException as exc:
            raise SandboxError(f"could not copy {target} out of the container: {exc}") from exc
        with tarfile.open(fileobj=io.BytesIO(archive)) as bundle:
            member = bundle.next()
            handle = bundle.extractfile(member) if member and member.isfile() else None
            return handle.read() if handle else None

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
