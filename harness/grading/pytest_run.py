"""Run graded tests under the grader's control and read their outcomes from a channel the
tests cannot rewrite (``scripts/pytest_channel.py``), then check that channel against
the JUnit report and the process's exit status.

The test process's own output goes to a log file in the scratch directory; its stdout
(file descriptor 9 inside the test process) carries only the channel's events and
reaches the grader as they are written. Anything that does not add up (a JUnit status
the run did not produce, an exit status pytest did not return, records nobody should
have written) is evidence of tampering.
"""

from __future__ import annotations

import json
import secrets
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources

from harness.errors import ToolError
from harness.grading.junit import junit_key, parse_junit_keys
from harness.protocols import Sandbox
from harness.results import TestStatus

CHANNEL_FD = 9
CHANNEL_LIMIT = 32 << 20  # the channel's events; beyond this something else is writing
LOG_TAIL = 4000
_WRAPPER = (f'exec {CHANNEL_FD}>&1 >"$1" 2>&1; shift; export PYTEST_DISABLE_PLUGIN_AUTOLOAD=1; '
            'exec "$@"')
_PYTHONS = ("python", "python3")


def pytest_invocation(test_command: str) -> tuple[str, list[str]]:
    """(interpreter, pytest's own arguments) of a ``python -m pytest ...`` or ``pytest ...``
    test command; ``ValueError`` for any other runner."""
    words = shlex.split(test_command)
    if words[:1] == ["pytest"]:
        return "python", words[1:]
    if len(words) >= 3 and words[0].rsplit("/", 1)[-1].startswith(_PYTHONS) and \
            words[1:3] == ["-m", "pytest"]:
        return words[0], words[3:]
    raise ValueError(f"the hidden-tests grader runs pytest: the test command must be "
                     f"`python -m pytest [OPTIONS]` or `pytest [OPTIONS]`, got {test_command!r}")


def channel_command(sandbox: Sandbox, test_command: str, log_name: str,
                    arguments: list[str]) -> list[str]:
    """The command that runs pytest with ``arguments`` behind the channel."""
    interpreter, options = pytest_invocation(test_command)
    return ["sh", "-c", _WRAPPER, "sh", f"{sandbox.scratch_dir}/{log_name}", interpreter,
            "-s", "-", str(CHANNEL_FD), *options, *arguments]


def channel_script() -> bytes:
    return (resources.files("harness.grading") / "scripts" / "pytest_channel.py").read_bytes()


@dataclass
class ChannelRun:
    """What one graded run of pytest said, through each of its three witnesses."""

    statuses: dict[str, TestStatus] = field(default_factory=dict)
    collected: list[str] = field(default_factory=list)
    collect_errors: list[str] = field(default_factory=list)
    finished: int | None = None
    exit_code: int = 0
    timed_out: bool = False
    junit: dict[tuple[str, str], TestStatus] | None = None
    log_tail: str = ""
    reads: dict[str, list[str]] = field(default_factory=dict)
    """Test -> the repository files it opened itself (not to import them), in order."""
    evidence: list[str] = field(default_factory=list)
    """What the channel itself gives away: lines it should not hold, conflicting records."""


def run_under_channel(sandbox: Sandbox, test_command: str, files: list[str],
                      timeout: float,
                      environment: Mapping[str, str] | None = None) -> ChannelRun:
    """Run the test ``files`` (the whole suite when empty) and gather the witnesses;
    ``environment`` adds variables to the test process's (coverage.py's start-up)."""
    token = secrets.token_hex(8)
    junit, log = f"junit-{token}.xml", f"tests-{token}.log"
    command = channel_command(sandbox, test_command, log, [
        f"--rootdir={sandbox.workdir}", f"--junitxml={sandbox.scratch_dir}/{junit}",
        "-o", "junit_family=xunit1", "-o", "junit_logging=no", "-p", "no:cacheprovider",
        *files])
    if environment:
        command = ["env", *(f"{name}={value}" for name, value in environment.items()), *command]
    result = sandbox.exec(command, timeout=timeout, stdin=channel_script(),
                          output_limit=CHANNEL_LIMIT)
    run = read_channel(result.stdout)
    run.exit_code, run.timed_out = result.exit_code, result.timed_out
    if result.truncated:
        run.evidence.append("the report channel overflowed: something other than the test "
                            "run wrote to it")
    run.junit = _scratch_junit(sandbox, junit)
    run.log_tail = _scratch_text(sandbox, log)[-LOG_TAIL:]
    return run


_WORST_FIRST = ("error", "failed", "skipped", "passed")


def read_channel(stdout: str) -> ChannelRun:
    """Parse the channel's events; every line must be one. A phase reported more than once
    (pytest's subtests report a test's call once per subtest) keeps its worst status, so
    a record written in the candidate's favour never hides a failure."""
    run = ChannelRun()
    phases: dict[tuple[str, str], str] = {}
    for number, line in enumerate(stdout.splitlines(), start=1):
        try:
            event = json.loads(line)
            kind = event["event"]
        except (ValueError, KeyError, TypeError):
            run.evidence.append(f"line {number} of the report channel is not the channel's: "
                                f"{line[:120]!r}")
            continue
        if kind == "collected" and isinstance(event.get("ids"), list):
            run.collected = [str(i) for i in event["ids"]]
        elif kind == "collect_error":
            run.collect_errors.append(str(event.get("id", "")))
        elif kind == "phase":
            key = (str(event.get("id")), str(event.get("when")))
            status = str(event.get("status"))
            if status not in _WORST_FIRST:
                run.evidence.append(f"line {number} of the report channel has an unknown "
                                    f"status {status[:40]!r}")
                continue
            known = phases.get(key, "passed")
            phases[key] = min(known, status, key=_WORST_FIRST.index)
        elif kind == "read":
            paths = run.reads.setdefault(str(event.get("id")), [])
            if str(event.get("path")) not in paths:
                paths.append(str(event.get("path")))
        elif kind == "finished" and isinstance(event.get("exitstatus"), int):
            if run.finished is not None:
                run.evidence.append("the channel reports two ends of the run")
            run.finished = event["exitstatus"]
        else:
            run.evidence.append(f"line {number} of the report channel holds an unknown "
                                f"event: {line[:120]!r}")
    run.statuses = _test_statuses(phases)
    not_collected = sorted(set(run.statuses) - set(run.collected))
    if not_collected:
        run.evidence.append(f"the channel reports {len(not_collected)} test(s) that were "
                            f"never collected, e.g. {not_collected[0]}")
    return run


def _test_statuses(phases: dict[tuple[str, str], str]) -> dict[str, TestStatus]:
    """One status per test from its phases: error, then failed, then skipped; passed only
    when its call phase passed (a test whose call never reported did not finish)."""
    by_test: dict[str, dict[str, str]] = {}
    for (test, when), status in phases.items():
        by_test.setdefault(test, {})[when] = status
    return {test: _combined(seen) for test, seen in by_test.items()}


def _combined(phases: dict[str, str]) -> TestStatus:
    found = set(phases.values())
    if "error" in found:
        return "error"
    if "failed" in found:
        return "failed"
    if "skipped" in found:
        return "skipped"
    return "passed" if phases.get("call") == "passed" else "missing"


def cross_check(run: ChannelRun, graded: list[str]) -> list[str]:
    """Evidence of tampering: the three witnesses must agree on every graded test and on
    how the run ended."""
    evidence = list(run.evidence)
    if run.finished is not None and run.finished != run.exit_code:
        evidence.append(f"pytest finished with exit status {run.finished}, but the test "
                        f"process exited with {run.exit_code}")
    if run.finished is not None:
        expected = expected_exit(run)
        if run.finished != expected:
            evidence.append(f"pytest reported exit status {run.finished}, but the outcomes "
                            f"it streamed mean {expected}")
    elif run.exit_code == 0 and not run.timed_out:
        evidence.append("the test process exited with 0 before pytest finished")
    for test in graded:
        streamed = run.statuses.get(test, "missing")
        reported = (run.junit or {}).get(junit_key(test), "missing")
        if streamed != reported and run.finished is not None:
            evidence.append(f"the JUnit report says {test} {reported}, the run said {streamed}")
    return evidence


def expected_exit(run: ChannelRun) -> int:
    """The exit status pytest returns for what the channel saw."""
    if run.collect_errors:
        return 2
    if any(status in ("failed", "error") for status in run.statuses.values()):
        return 1
    return 0 if run.collected else 5


def _scratch_junit(sandbox: Sandbox, name: str) -> dict[tuple[str, str], TestStatus] | None:
    try:
        data = sandbox.read_scratch(name)
    except ToolError:
        return None
    return parse_junit_keys(data) if data is not None else None


def _scratch_text(sandbox: Sandbox, name: str) -> str:
    try:
        data = sandbox.read_scratch(name)
    except ToolError as exc:
        return f"[the test log could not be read: {exc}]"
    return data.decode("utf-8", "backslashreplace") if data is not None else ""
