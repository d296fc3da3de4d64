"""Command lines for bubblewrap isolation.

What it protects against: a command reading anything on the host outside the
system directories, the Python interpreter's standard library, the project's own
environment and its own workspace (so not the task bank, the gold patch, another
case's workspace, the harness's packages or any site-packages of the host, which
are hidden); writing anywhere but its workspace and a private, sized /tmp;
reaching the network; seeing or signalling host processes. What it does not
protect against: kernel exploits. Processes and memory are limited by the local
sandbox's control group (``harness.sandbox.limits``), not by bubblewrap.
"""

from __future__ import annotations

import functools
import os
import shutil
import site
import subprocess
import sys
import sysconfig
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


def interpreter_dirs() -> list[str]:
    """Where the base interpreter lives (its standard library), outside the system dirs."""
    dirs = {str(Path(p).resolve()) for p in (sys.base_prefix, sys.base_exec_prefix)}
    return sorted(d for d in dirs if not d.startswith("/usr/"))


@functools.cache
def hidden_dirs() -> list[str]:
    """Every site-packages directory of the host that the sandbox would otherwise show (under
    the system dirs or the base interpreter): the interpreter's and the system's."""
    base = sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_exec_prefix})
    candidates = {base["purelib"], base["platlib"], *site.getsitepackages(),
                  site.getusersitepackages(), *_system_site_dirs()}
    shown = [*_SYSTEM_DIRS, *interpreter_dirs()]
    return sorted(str(Path(p).resolve()) for p in candidates if Path(p).is_dir() and any(
        str(Path(p).resolve()).startswith(root.rstrip("/") + "/") for root in shown))


def _system_site_dirs() -> list[str]:
    found = []
    for root in ("/usr/lib", "/usr/local/lib"):
        for name in ("site-packages", "dist-packages"):
            found += [str(p) for p in Path(root).glob(f"python3*/{name}")]
    return found


def bwrap_argv(
    command: Sequence[str],
    *,
    workdir: str,
    writable: Sequence[str],
    readable: Sequence[str],
    env: Mapping[str, str],
    network: bool = False,
    tmp_size: int | None = None,
) -> list[str]:
    """Wrap ``command`` so it runs in ``workdir`` with only ``writable`` dirs writable, the
    interpreter and ``readable`` dirs (the project's environment) read-only, and every
    host site-packages hidden under an empty tmpfs."""
    # Order matters: later mounts go on top, so /tmp comes before binds that may live under it,
    # and the hiding tmpfs mounts come after the binds they cover.
    size = ["--size", str(tmp_size)] if tmp_size else []
    args = ["bwrap", *_system_binds(), "--proc", "/proc", "--dev", "/dev", *size, "--tmpfs",
            "/tmp"]
    for directory in [*interpreter_dirs(), *readable]:
        args += ["--ro-bind", directory, directory]
    for directory in hidden_dirs():
        if not any(directory.startswith(mine) for mine in readable):
            args += ["--tmpfs", directory]
    for directory in writable:
        args += ["--bind", directory, directory]
    args += ["--unshare-all", "--die-with-parent", "--new-session", "--chdir", workdir]
    if network:
        args.append("--share-net")
    args.append("--clearenv")
    for key, value in sorted(env.items()):
        args += ["--setenv", key, value]
    return [*args, "--", *command]
