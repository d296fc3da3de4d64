"""Environment faults injected on purpose, for recovery cases: a sandbox wrapper.

A case declares its faults (``Task.expected["faults"]``, each a ``Fault``); during the
episode (never during grading) the test-running tools (``TEST_TOOLS``) run against a
``FaultySandbox`` that makes each fault happen once, on the first test run (a command
running pytest) after ``after`` of them passed through:

- ``timeout_once``: the run is not started and reports a timeout, as a hung run would;
- ``fail_once``: the run happens, then reports exit status 1 with a failure line added
  (a flaky test failing once: the next run shows the real result);
- ``truncated_once``: the run happens and its output is cut short to its first
  ``TRUNCATED_TO`` characters, marked as truncated.

Everything else passes straight through to the wrapped sandbox.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from harness.process import ExecResult
from harness.protocols import Sandbox, Tool, ToolSpec

FaultKind = Literal["timeout_once", "fail_once", "truncated_once"]
TEST_TOOLS = frozenset({"run_tests", "run_single_test", "run_tests_with_coverage"})
TRUNCATED_TO = 300
FLAKY_LINE = ("FAILED (infrastructure) the test worker lost its connection to the "
              "collector: ConnectionResetError [Errno 104] Connection reset by peer")


class Fault(BaseModel):
    """One injected fault (see the module docstring)."""

    model_config = ConfigDict(extra="forbid")

    kind: FaultKind
    after: int = Field(default=0, ge=0, description="test runs that pass through before it")


def is_test_run(command: Sequence[str]) -> bool:
    """Whether a command runs pytest (what faults strike)."""
    return any(word == "pytest" or word.endswith("/pytest") for word in command)


class FaultySandbox:
    """A sandbox whose test runs suffer ``faults``, each once; the rest delegates."""

    def __init__(self, inner: Sandbox, faults: Sequence[Fault]) -> None:
        self._inner = inner
        self._pending = sorted(faults, key=lambda fault: fault.after)
        self._runs = 0

    def __getattr__(self, name: str) -> Any:
        return getattr(self._inner, name)

    def exec(self, command: Sequence[str], **options: Any) -> ExecResult:
        if not is_test_run(command) or not self._pending or self._pending[0].after > self._runs:
            self._runs += is_test_run(command)
            return self._inner.exec(command, **options)
        self._runs += 1
        fault = self._pending.pop(0)
        if fault.kind == "timeout_once":
            timeout = float(options.get("timeout", 0.0))
            return ExecResult(exit_code=-9, stdout="", stderr="", timed_out=True,
                              truncated=False, seconds=timeout)
        result = self._inner.exec(command, **options)
        if fault.kind == "fail_once":
            return ExecResult(exit_code=1, stdout=f"{result.stdout}\n{FLAKY_LINE}\n",
                              stderr=result.stderr, timed_out=False,
                              truncated=result.truncated, seconds=result.seconds)
        text = result.combined()
        return ExecResult(exit_code=result.exit_code, stdout=text[:TRUNCATED_TO], stderr="",
                          timed_out=result.timed_out, truncated=True, seconds=result.seconds)


class FaultyTool:
    """A tool that runs against the episode's ``FaultySandbox`` instead of the sandbox."""

    def __init__(self, tool: Tool, episode: FaultInjection) -> None:
        self._tool = tool
        self._episode = episode

    @property
    def spec(self) -> ToolSpec:
        return self._tool.spec

    def __call__(self, sandbox: Sandbox, arguments: dict[str, Any]) -> str:
        return self._tool(self._episode.wrap(sandbox), arguments)


class FaultInjection:
    """One episode's faults: every tool shares one ``FaultySandbox`` per sandbox."""

    def __init__(self, faults: Sequence[Fault]) -> None:
        self.faults = list(faults)
        self._wrapped: dict[int, FaultySandbox] = {}

    def wrap(self, sandbox: Sandbox) -> Sandbox:
        key = id(sandbox)
        if key not in self._wrapped:
            self._wrapped[key] = FaultySandbox(sandbox, self.faults)
        return self._wrapped[key]

    def tools(self, tools: Mapping[str, Tool],
              struck: frozenset[str] = TEST_TOOLS) -> dict[str, Tool]:
        """``tools`` with the ``struck`` ones (the test runners) behind this episode's
        faults; the others run as they are."""
        return {name: FaultyTool(tool, self) if name in struck else tool
                for name, tool in tools.items()}
