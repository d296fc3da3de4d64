"""Reading a case's files from the host without trusting them.

A case controls everything under its workspace and scratch directory: a path
component may be a symbolic link to the host's files, a file may be a FIFO, a
device or a sparse file of terabytes. ``resolve_inside`` resolves links itself,
one component at a time, and refuses to leave the root; ``read_regular`` opens
without following a link, checks that it opened a regular file, and reads at
most ``limit`` bytes.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path, PurePosixPath

from harness.errors import ToolError

_MAX_LINKS = 40


def resolve_inside(root: Path, relative: str) -> Path:
    """``root / relative`` with every symbolic link resolved within ``root``; ``ToolError``
    when the path leaves it (through ``..`` or a link) or is not a relative path."""
    if PurePosixPath(relative).is_absolute():
        raise ToolError(f"{relative}: outside the repository; paths are relative to its root")
    parts = [p for p in PurePosixPath(relative).parts if p not in ("", ".")]
    resolved: list[str] = []
    links = 0
    while parts:
        part = parts.pop(0)
        if part == "..":
            if not resolved:
                raise ToolError(f"{relative}: outside the repository; paths are relative to "
                                "its root")
            resolved.pop()
            continue
        candidate = root.joinpath(*resolved, part)
        if candidate.is_symlink():
            links += 1
            if links > _MAX_LINKS:
                raise ToolError(f"{relative}: too many levels of symbolic links")
            target = os.readlink(candidate)
            if os.path.isabs(target):
                raise ToolError(f"{relative}: a symbolic link leads outside the repository")
            parts = [p for p in PurePosixPath(target).parts if p not in ("", ".")] + parts
            continue
        resolved.append(part)
    return root.joinpath(*resolved)


def read_regular(path: Path, limit: int) -> bytes | None:
    """The bytes of ``path`` if it is a regular file (its last component not a link);
    None when it is absent or something else; ``ToolError`` when larger than ``limit``."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.ELOOP, errno.ENOTDIR, errno.ENXIO, errno.EACCES):
            return None
        raise ToolError(f"{path.name}: cannot be read: {exc.strerror}") from exc
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            return None
        if info.st_size > limit:
            raise ToolError(f"{path.name} is larger than {limit} bytes ({info.st_size}); "
                            "the harness reads files up to that size")
        chunks, left = [], limit + 1
        while left > 0:
            chunk = os.read(fd, min(left, 1 << 20))
            if not chunk:
                break
            chunks.append(chunk)
            left -= len(chunk)
    finally:
        os.close(fd)
    data = b"".join(chunks)
    if len(data) > limit:
        raise ToolError(f"{path.name} is larger than {limit} bytes; the harness reads files up "
                        "to that size")
    return data
