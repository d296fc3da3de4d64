"""Resource limits of a case, on both backends.

Docker applies ``Limits`` itself (``--pids-limit``, ``--memory``, tmpfs sizes). The
local sandbox applies them with what the machine offers:

- processes and memory: a control group per case (cgroup v1 ``pids`` and ``memory``
  controllers, or cgroup v2 at the hierarchy's root), which every command joins before
  it starts; when the case ends, and after every command, whatever is left in it is
  killed. Without a writable cgroup hierarchy (not root), memory is bounded per process
  with ``RLIMIT_AS`` and processes are not limited;
- disk: the workspace is a tmpfs of ``disk`` bytes when the harness may mount one (root);
  ``/tmp`` inside bubblewrap is a tmpfs of ``tmp`` bytes.

``LocalSandbox.enforced`` says which of these hold for a case.
"""

from __future__ import annotations

import contextlib
import functools
import os
import re
import shutil
import signal
import subprocess
import time
import uuid
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field

from harness.errors import ConfigError

_CGROUP = Path("/sys/fs/cgroup")
_SIZE = re.compile(r"^(\d+)([kmg]?)$")


def parse_size(text: str) -> int:
    """``"512m"`` -> bytes (suffixes k, m, g; no suffix is bytes)."""
    match = _SIZE.match(text.strip().lower())
    if match is None:
        raise ConfigError(f"a size like 512m or 4g, got {text!r}")
    return int(match.group(1)) * {"": 1, "k": 1 << 10, "m": 1 << 20, "g": 1 << 30}[match.group(2)]


class Limits(BaseModel):
    """Resources of one case, whatever its backend."""

    model_config = ConfigDict(frozen=True)

    cpus: float = Field(default=2.0, gt=0, description="CPUs (docker)")
    memory: str = Field(default="4g", description="memory of the case's processes together")
    pids: int = Field(default=2048, ge=16, description="processes and threads at once")
    disk: str = Field(default="4g", description="the workspace (repository) file system")
    tmp: str = Field(default="1g", description="/tmp (and docker's scratch directory)")


class CaseCgroup:
    """One case's control groups (pids and memory), joined by every command it runs."""

    def __init__(self, directories: dict[str, Path]) -> None:
        self.directories = directories

    @classmethod
    def create(cls, limits: Limits) -> CaseCgroup | None:
        """A new group with the limits set, or None where the machine does not allow it."""
        name = f"harness-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        settings: dict[str, dict[str, str]]
        if (_CGROUP / "pids" / "cgroup.procs").exists():  # cgroup v1
            settings = {"pids": {"pids.max": str(limits.pids)},
                        "memory": {"memory.limit_in_bytes": str(parse_size(limits.memory))}}
            roots = {controller: _CGROUP / controller / "harness" / name for controller in settings}
        elif (_CGROUP / "cgroup.controllers").exists():  # cgroup v2, at the root
            settings = {"unified": {"pids.max": str(limits.pids),
                                    "memory.max": str(parse_size(limits.memory)),
                                    "memory.swap.max": "0"}}
            roots = {"unified": _CGROUP / name}
        else:
            return None
        made: dict[str, Path] = {}
        try:
            for controller, directory in roots.items():
                directory.mkdir(parents=True, exist_ok=True)
                made[controller] = directory
                for key, value in settings[controller].items():
                    with contextlib.suppress(FileNotFoundError):
                        (directory / key).write_text(value)
        except OSError:
            cls(made).close()
            return None
        return cls(made)

    def prefix(self) -> list[str]:
        """Put before a command line: it joins the groups, then runs the command."""
        joins = " && ".join(f"echo $$ > {directory}/cgroup.procs"
                            for directory in self.directories.values())
        return ["sh", "-c", f'{joins} && exec "$@"', "sh"]

    def kill_all(self) -> None:
        """Kill every process left in the groups (a daemon a command started)."""
        for directory in self.directories.values():
            for _ in range(20):
                pids = _read_pids(directory)
                if not pids:
                    break
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError, PermissionError):
                        os.kill(pid, signal.SIGKILL)
                time.sleep(0.05)

    def reached(self) -> list[str]:
        """The limits the group's processes ran into."""
        found = []
        for directory in self.directories.values():
            if re.search(r"^max [1-9]", _read(directory / "pids.events"), re.M):
                found.append("pids")
            failed = _read(directory / "memory.failcnt").strip()
            oom = _read(directory / "memory.events") + _read(directory / "memory.oom_control")
            if failed not in ("", "0") or re.search(r"^oom_kill [1-9]", oom, re.M):
                found.append("memory")
        return sorted(set(found))

    def close(self) -> None:
        self.kill_all()
        for directory in self.directories.values():
            with contextlib.suppress(OSError):
                directory.rmdir()


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:
        return ""


def _read_pids(directory: Path) -> list[int]:
    return [int(line) for line in _read(directory / "cgroup.procs").split() if line.isdigit()]


@functools.cache
def reap_stale() -> None:
    """Once per process: unmount the workspaces and remove the control groups of cases whose
    process died without closing them (a killed xdist worker). Both are named after the
    process that made them (``case-PID-...``, ``harness-PID-...``)."""
    for line in _read(Path("/proc/self/mounts")).splitlines():
        fields = line.split()
        if len(fields) > 2 and fields[2] == "tmpfs" and _dead_owner(Path(fields[1]).name,
                                                                     "case-"):
            unmount(Path(fields[1]))
            shutil.rmtree(fields[1], ignore_errors=True)
    for root in (_CGROUP / "pids" / "harness", _CGROUP / "memory" / "harness", _CGROUP):
        for directory in (root.glob("harness-*") if root.is_dir() else []):
            if _dead_owner(directory.name, "harness-"):
                with contextlib.suppress(OSError):
                    directory.rmdir()


def _dead_owner(name: str, prefix: str) -> bool:
    """Whether ``name`` is ``PREFIX<pid>-...`` of a process that no longer runs."""
    if not name.startswith(prefix):
        return False
    pid = name[len(prefix):].split("-", 1)[0]
    if not pid.isdigit():
        return False
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def mount_tmpfs(directory: Path, size: int) -> bool:
    """Mount a tmpfs of ``size`` bytes on ``directory``; False where that is not allowed."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        return False
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0700", "tmpfs",
                           str(directory)], capture_output=True)
    return done.returncode == 0


def unmount(directory: Path) -> None:
    subprocess.run(["umount", "-l", str(directory)], capture_output=True)


def disk_full(directory: Path) -> bool:
    """Whether the file system holding ``directory`` has (almost) no room left."""
    try:
        info = os.statvfs(directory)
    except OSError:
        return False
    return info.f_bavail * info.f_frsize < (1 << 20)
