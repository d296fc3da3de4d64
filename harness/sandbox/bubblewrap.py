"""Command lines for bubblewrap isolation.

What it protects against: a command reading anything on the host outside the
system directories, the Python installation and its own workspace (so not the
task bank, the gold patch or another case's workspace); writing anywhere but
its workspace and a private /tmp; reaching the network; seeing or signalling
host processes. What it does not protect against: kernel exploits, and
exhausting CPU or memory (the timeout bounds time only).
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

_SYSTEM_DIRS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32", "/etc")


@functools.cache
def bwrap_available() -> bool:
    """True when ``bwrap`` exists and can build a sandbox on this machine."""
    binary = shutil.which("bwrap")
    if binary is None:
        return False
    probe = [binary, *_system_binds(), "--unshare-all", "--die-with-parent", "--", "/bin/true"]
    try:
        return subprocess.run(probe, capture_output=True, timeout=20).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _system_binds() -> list[str]:
    args: list[str] = []
    for directory in _SYSTEM_DIRS:
        path = Path(directory)
        if path.is_symlink():
            args += ["--symlink", os.readlink(path), directory]
        elif path.is_dir():
            args += ["--ro-bind", directory, directory]
    return args


def python_dirs() -> list[str]:
    """The Python installation(s) the sandbox needs, read-only (venv and its base)."""
    dirs = {str(Path(p).resolve()) for p in (sys.prefix, sys.base_prefix, sys.exec_prefix)}
    return sorted(d for d in dirs if not d.startswith("/usr/"))


def bwrap_argv(
    command: Sequence[str],
    *,
    workdir: str,
    writable: Sequence[str],
    env: Mapping[str, str],
    network: bool = False,
) -> list[str]:
    """Wrap ``command`` so it runs in ``workdir`` with only ``writable`` dirs writable."""
    # Order matters: later mounts go on top, so /tmp comes before binds that may live under it.
    args = ["bwrap", *_system_binds(), "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp"]
    for directory in python_dirs():
        args += ["--ro-bind", directory, directory]
    for directory in writable:
        args += ["--bind", directory, directory]
    args += ["--unshare-all", "--die-with-parent", "--new-session", "--chdir", workdir]
    if network:
        args.append("--share-net")
    args.append("--clearenv")
    for key, value in sorted(env.items()):
        args += ["--setenv", key, value]
    return [*args, "--", *command]
