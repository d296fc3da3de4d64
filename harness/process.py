"""Run a command with a timeout that kills its whole process group, keeping bounded output."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import IO

DEFAULT_OUTPUT_LIMIT = 64_000


@dataclass(frozen=True)
class ExecResult:
    """What a command did: exit code (-9 when killed), bounded output, and whether it timed out."""

    exit_code: int
    stdout: str
    stderr: str
    timed_out: bool
    truncated: bool
    seconds: float

    @property
    def ok(self) -> bool:
        return self.exit_code == 0 and not self.timed_out

    def combined(self) -> str:
        """Stdout then stderr, for observations and logs."""
        if self.stderr and self.stdout:
            return f"{self.stdout}\n{self.stderr}"
        return self.stdout or self.stderr


class _BoundedSink:
    """Keeps the first and last ``limit // 2`` bytes of a stream and counts what it dropped."""

    def __init__(self, limit: int) -> None:
        self.head_limit = limit // 2
        self.tail_limit = limit - self.head_limit
        self.head = bytearray()
        self.tail = bytearray()
        self.dropped = 0

    def feed(self, chunk: bytes) -> None:
        room = self.head_limit - len(self.head)
        if room > 0:
            self.head += chunk[:room]
            chunk = chunk[room:]
        self.tail += chunk
        if len(self.tail) > self.tail_limit:
            excess = len(self.tail) - self.tail_limit
            del self.tail[:excess]
            self.dropped += excess

    def text(self) -> str:
        middle = f"\n[... {self.dropped} bytes of output omitted ...]\n" if self.dropped else ""
        return (bytes(self.head).decode("utf-8", "replace") + middle
                + bytes(self.tail).decode("utf-8", "replace"))


def _drain(stream: IO[bytes], sink: _BoundedSink) -> None:
    for chunk in iter(lambda: stream.read(65536), b""):
        sink.feed(chunk)
    stream.close()


def _feed(stream: IO[bytes], data: bytes) -> None:
    try:
        stream.write(data)
    except OSError:
        pass
    finally:
        with contextlib.suppress(OSError):
            stream.close()


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def run_bounded(
    argv: Sequence[str],
    *,
    cwd: str,
    env: Mapping[str, str],
    timeout: float,
    stdin: bytes | None = None,
    limit: int = DEFAULT_OUTPUT_LIMIT,
) -> ExecResult:
    """Run ``argv`` in a new session; on timeout SIGKILL the whole process group.

    Whatever the command leaves running in its group is killed when it exits too,
    so a test that starts a daemon does not outlive its case.
    """
    started = time.monotonic()
    proc = subprocess.Popen(
        list(argv), cwd=cwd, env=dict(env), start_new_session=True,
        stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    sinks = (_BoundedSink(limit), _BoundedSink(limit))
    assert proc.stdout is not None and proc.stderr is not None
    readers = [threading.Thread(target=_drain, args=(stream, sink), daemon=True)
               for stream, sink in zip((proc.stdout, proc.stderr), sinks, strict=True)]
    for reader in readers:
        reader.start()
    if stdin is not None:
        assert proc.stdin is not None
        # Fed from a thread so that a command that never reads cannot outlast the timeout.
        threading.Thread(target=_feed, args=(proc.stdin, stdin), daemon=True).start()
    timed_out = False
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        timed_out = True
    _kill_group(proc.pid)
    proc.wait()
    for reader in readers:
        reader.join(timeout=5)
    return ExecResult(
        exit_code=proc.returncode,
        stdout=sinks[0].text(),
        stderr=sinks[1].text(),
        timed_out=timed_out,
        truncated=any(sink.dropped for sink in sinks),
        seconds=time.monotonic() - started,
    )
