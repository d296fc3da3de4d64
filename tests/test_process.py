"""Bounded command execution (harness.process) and the shared tool helpers (harness.tools._base)."""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harness.errors import ToolError
from harness.process import run_bounded
from harness.tools._base import FunctionTool, bound_text, check_arguments, spec

ENV = dict(os.environ)
OMITTED_BYTES = re.compile(r"\n\[\.\.\. (\d+) bytes of output omitted \.\.\.\]\n")
OMITTED_CHARS = re.compile(r"\n\[\.\.\. (\d+) characters omitted \.\.\.\]\n")


def run(argv: list[str], cwd: Path, **kwargs: Any) -> Any:
    kwargs.setdefault("timeout", 30)
    return run_bounded(argv, cwd=str(cwd), env=ENV, **kwargs)


def python(code: str) -> list[str]:
    return [sys.executable, "-c", code]


def _alive(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting for its reaper counts as dead)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def wait_until_dead(pid: int, attempts: int = 100) -> bool:
    for _ in range(attempts):
        if not _alive(pid):
            return True
        time.sleep(0.05)
    return False


def read_pid(path: Path) -> int:
    for _ in range(100):
        text = path.read_text().strip() if path.exists() else ""
        if text:
            return int(text)
        time.sleep(0.05)
    raise AssertionError(f"{path} was never written")


def split_bounded(text: str, marker: re.Pattern[str]) -> tuple[str, int, str]:
    found = list(marker.finditer(text))
    assert len(found) == 1, text[:200]
    match = found[0]
    return text[:match.start()], int(match.group(1)), text[match.end():]


# --- run_bounded --------------------------------------------------------------------------


@pytest.mark.parametrize("code", [0, 1, 3, 77])
def test_exit_codes_are_reported(tmp_path: Path, code: int) -> None:
    result = run(["sh", "-c", f"exit {code}"], tmp_path)
    assert result.exit_code == code
    assert result.ok is (code == 0)
    assert not result.timed_out


def test_a_signal_death_is_a_negative_exit_code(tmp_path: Path) -> None:
    result = run(["sh", "-c", "kill -TERM $$"], tmp_path)
    assert result.exit_code == -15
    assert not result.ok


def test_stdout_and_stderr_are_kept_apart(tmp_path: Path) -> None:
    result = run(["sh", "-c", "echo out; echo err >&2"], tmp_path)
    assert (result.stdout, result.stderr) == ("out\n", "err\n")
    assert result.combined() == "out\n\nerr\n"
    assert not result.truncated


def test_the_command_runs_in_cwd_with_env(tmp_path: Path) -> None:
    result = run_bounded(["sh", "-c", 'pwd; echo "$HARNESS_PROBE"'], cwd=str(tmp_path),
                         env={**ENV, "HARNESS_PROBE": "seen"}, timeout=30)
    assert result.stdout.splitlines() == [str(tmp_path.resolve()), "seen"]


def test_stdin_is_fed(tmp_path: Path) -> None:
    payload = b"first line\nsecond \xc3\xa9 line\n" * 1000
    result = run(python("import sys; data = sys.stdin.buffer.read(); "
                        "print(len(data), data.count(b'\\n'))"), tmp_path, stdin=payload)
    assert result.ok
    assert result.stdout.split() == [str(len(payload)), "2000"]


def test_without_stdin_the_command_reads_end_of_file(tmp_path: Path) -> None:
    result = run(["cat"], tmp_path, timeout=20)
    assert result.ok
    assert not result.timed_out
    assert result.stdout == ""


def test_a_command_that_ignores_stdin_still_finishes(tmp_path: Path) -> None:
    result = run(["sh", "-c", "exit 0"], tmp_path, stdin=b"x" * 10)
    assert result.ok


def test_long_output_keeps_head_and_tail(tmp_path: Path) -> None:
    total, limit = 200_000, 1_000
    code = (f"import sys; body = ''.join(chr(97 + i % 26) for i in range({total} - 8)); "
            "sys.stdout.write('<HEAD>' + body + '<>'); sys.stderr.write('short')")
    expected = "<HEAD>" + "".join(chr(97 + i % 26) for i in range(total - 8)) + "<>"
    result = run(python(code), tmp_path, limit=limit)
    assert result.truncated
    assert result.ok
    head, omitted, tail = split_bounded(result.stdout, OMITTED_BYTES)
    assert head.startswith("<HEAD>")
    assert expected.startswith(head)
    assert tail.endswith("<>")
    assert expected.endswith(tail)
    assert len(head) + len(tail) <= limit
    assert len(head) >= limit // 2 - 1 and len(tail) >= limit // 2 - 1
    assert len(head) + omitted + len(tail) == total
    assert result.stderr == "short"


def test_output_within_the_limit_is_whole(tmp_path: Path) -> None:
    result = run(python("print('x' * 999)"), tmp_path, limit=1_000)
    assert result.stdout == "x" * 999 + "\n"
    assert not result.truncated


def test_stderr_is_bounded_too(tmp_path: Path) -> None:
    result = run(python("import sys; sys.stderr.write('e' * 50_000)"), tmp_path, limit=100)
    assert result.truncated
    head, omitted, tail = split_bounded(result.stderr, OMITTED_BYTES)
    assert head + tail == "e" * (len(head) + len(tail))
    assert len(head) + omitted + len(tail) == 50_000


def _reap_if_alive(pid: int) -> None:
    """Clean up after a failed assertion: kill the process this test started, by its pid."""
    if _alive(pid):
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)


def test_a_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    pidfile = tmp_path / "pidfile"
    # The foreground sleep is 60 s (not 1000) so a run_bounded that kills nothing at all
    # fails this test after a minute instead of hanging it.
    result = run(["sh", "-c", f"sleep 1000 & echo $! > {pidfile}; sleep 60"], tmp_path,
                 timeout=5)
    grandchild = read_pid(pidfile)
    try:
        assert result.timed_out
        assert not result.ok
        assert result.exit_code == -9
        assert wait_until_dead(grandchild), f"background process {grandchild} outlived the timeout"
    finally:
        _reap_if_alive(grandchild)


def test_a_background_child_is_killed_after_a_normal_exit(tmp_path: Path) -> None:
    pidfile = tmp_path / "pidfile"
    result = run(["sh", "-c", f"sleep 1000 >/dev/null 2>&1 & echo $! > {pidfile}; echo done"],
                 tmp_path)
    grandchild = read_pid(pidfile)
    try:
        assert result.ok
        assert not result.timed_out
        assert result.stdout == "done\n"
        assert wait_until_dead(grandchild), f"daemon {grandchild} outlived its command"
    finally:
        _reap_if_alive(grandchild)


def test_the_timeout_holds_when_the_command_ignores_a_large_stdin(tmp_path: Path) -> None:
    import multiprocessing

    pidfile = tmp_path / "pidfile"
    context = multiprocessing.get_context("fork")
    # Run in a child process so the hang cannot block this test session.
    worker = context.Process(target=run_bounded,
                             args=(["sh", "-c", f"echo $$ > {pidfile}; exec sleep 60"],),
                             kwargs={"cwd": str(tmp_path), "env": ENV, "timeout": 1,
                                     "stdin": b"x" * 4_000_000})
    worker.start()
    worker.join(10)
    hung = worker.is_alive()
    if hung:
        worker.kill()
        worker.join()
        with contextlib.suppress(ProcessLookupError, AssertionError):
            os.kill(read_pid(pidfile), signal.SIGKILL)  # the sleep this test started
    assert not hung, "run_bounded(timeout=1) was still running after 10 s"


# --- tools._base ---------------------------------------------------------------------------

SPEC = spec("edit", "Edit a file.", {
    "path": {"type": "string"},
    "line": {"type": "integer"},
    "scale": {"type": "number"},
    "dry_run": {"type": "boolean"},
    "lines": {"type": "array"},
    "options": {"type": "object"},
    "anything": {},
}, required=("path", "line"))


@pytest.mark.parametrize("arguments", [
    {"path": "a.py", "line": 3},
    {"path": "a.py", "line": 3, "scale": 2, "dry_run": False, "lines": [1], "options": {},
     "anything": None},
    {"path": "a.py", "line": 0, "scale": 0.5},
])
def test_arguments_that_fit_the_schema_pass(arguments: dict[str, Any]) -> None:
    check_arguments(SPEC, arguments)


@pytest.mark.parametrize(("arguments", "named"), [
    ({"line": 3}, ["path"]),
    ({}, ["path", "line"]),
])
def test_missing_required_arguments(arguments: dict[str, Any], named: list[str]) -> None:
    with pytest.raises(ToolError, match="missing") as info:
        check_arguments(SPEC, arguments)
    assert str(info.value).startswith("edit:")
    assert all(name in str(info.value) for name in named)


def test_unknown_argument() -> None:
    with pytest.raises(ToolError, match="unknown argument 'colour'") as info:
        check_arguments(SPEC, {"path": "a.py", "line": 1, "colour": "red"})
    assert "path" in str(info.value)  # it lists what is expected


@pytest.mark.parametrize(("name", "value", "expected"), [
    ("path", 3, "string"),
    ("line", "3", "integer"),
    ("line", 3.0, "integer"),
    ("line", True, "integer"),
    ("scale", False, "number"),
    ("scale", "0.5", "number"),
    ("dry_run", 1, "boolean"),
    ("lines", "a,b", "array"),
    ("options", [], "object"),
])
def test_wrong_types(name: str, value: Any, expected: str) -> None:
    arguments = {"path": "a.py", "line": 1, name: value}
    with pytest.raises(ToolError) as info:
        check_arguments(SPEC, arguments)
    assert repr(name) in str(info.value)
    assert expected in str(info.value)
    assert type(value).__name__ in str(info.value)


def test_function_tool_checks_before_calling_and_bounds_the_output() -> None:
    calls: list[dict[str, Any]] = []

    def function(sandbox: object, **arguments: Any) -> str:
        calls.append(arguments)
        return "y" * 50_000

    tool = FunctionTool(SPEC, function)
    with pytest.raises(ToolError):
        tool(object(), {"path": "a.py"})  # type: ignore[arg-type]
    assert calls == []
    output = tool(object(), {"path": "a.py", "line": 2})  # type: ignore[arg-type]
    assert calls == [{"path": "a.py", "line": 2}]
    assert len(output) < 50_000
    assert OMITTED_CHARS.search(output)


def test_bound_text_keeps_head_and_tail() -> None:
    text = "HEAD" + "m" * 10_000 + "TAIL"
    out = bound_text(text, limit=100)
    head, omitted, tail = split_bounded(out, OMITTED_CHARS)
    assert head.startswith("HEAD") and tail.endswith("TAIL")
    assert len(head) + omitted + len(tail) == len(text)


no_brackets = st.text(st.characters(blacklist_characters="["), max_size=400)


@given(text=no_brackets, limit=st.integers(min_value=2, max_value=300))
def test_bound_text_property(text: str, limit: int) -> None:
    out = bound_text(text, limit)
    if len(text) <= limit:
        assert out == text
        return
    head, omitted, tail = split_bounded(out, OMITTED_CHARS)
    marker_length = len(out) - len(head) - len(tail)
    assert len(out) <= limit + marker_length
    assert len(head) + len(tail) <= limit
    assert text.startswith(head) and text.endswith(tail)
    assert head and tail
    assert omitted > 0


@given(text=no_brackets, half=st.integers(min_value=1, max_value=150))
def test_bound_text_counts_what_it_omits_at_even_limits(text: str, half: int) -> None:
    limit = 2 * half
    out = bound_text(text, limit)
    if len(text) > limit:
        head, omitted, tail = split_bounded(out, OMITTED_CHARS)
        assert len(head) + omitted + len(tail) == len(text)


def test_bound_text_counts_what_it_omits_at_odd_limits() -> None:
    text = "abcdefg"
    head, omitted, tail = split_bounded(bound_text(text, limit=5), OMITTED_CHARS)
    assert len(head) + omitted + len(tail) == len(text)


@pytest.mark.parametrize("limit", [0, 1])
def test_bound_text_with_a_tiny_limit(limit: int) -> None:
    text = "x" * 1_000
    out = bound_text(text, limit)
    head, _, tail = split_bounded(out, OMITTED_CHARS)
    assert len(head) + len(tail) <= limit
