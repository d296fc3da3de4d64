"""Tools that change the repository and run its tests."""

from __future__ import annotations

import shlex
from typing import Any

from harness.errors import ToolError
from harness.protocols import Sandbox
from harness.tools._base import FunctionTool, spec

TEST_TIMEOUT = 300.0


def apply_patch(sandbox: Sandbox, patch: str) -> str:
    """Apply a unified diff (git format, paths a/... b/...) to the working tree."""
    if not patch.strip():
        raise ToolError("apply_patch: the patch is empty")
    data = patch if patch.endswith("\n") else patch + "\n"
    check = sandbox.exec(["git", "apply", "--recount", "--whitespace=nowarn", "--check", "-"],
                         timeout=60, stdin=data.encode())
    if not check.ok:
        raise ToolError(f"apply_patch: the patch does not apply, nothing was changed:\n"
                        f"{check.combined().strip()[:2000]}")
    result = sandbox.exec(["git", "apply", "--recount", "--whitespace=nowarn", "-v", "-"],
                          timeout=60, stdin=data.encode())
    if not result.ok:
        raise ToolError(f"apply_patch failed: {result.combined().strip()[:2000]}")
    touched = [line.split(" ", 1)[1] for line in result.stderr.splitlines()
               if line.startswith("Applied patch ")]
    return "patch applied" + (f": {', '.join(t.rstrip('.').strip() for t in touched)}"
                              if touched else "")


def make_run_tests(test_command: str) -> FunctionTool:
    """``run_tests`` bound to a task's test command."""

    def run_tests(sandbox: Sandbox, paths: list[Any] | None = None, keyword: str = "") -> str:
        targets = [str(p) for p in paths or []]
        for target in targets:
            if target.startswith("-"):
                raise ToolError(f"run_tests: {target!r} is not a test path")
        command = [*shlex.split(test_command), "-q", *(["-k", keyword] if keyword else []),
                   *targets]
        result = sandbox.exec(command, timeout=TEST_TIMEOUT)
        status = "timed out" if result.timed_out else f"exit code {result.exit_code}"
        return f"$ {shlex.join(command)}\n[{status}]\n{result.combined()}"

    return FunctionTool(spec(
        "run_tests", "Run the repository's test suite, or some test files or node ids.",
        {"paths": {"type": "array", "items": {"type": "string"},
                   "description": "test files or node ids (default: the whole suite)"},
         "keyword": {"type": "string", "description": "pytest -k expression"}}), run_tests)


APPLY_PATCH = FunctionTool(spec(
    "apply_patch", "Apply a unified diff (as produced by git diff) to the repository.",
    {"patch": {"type": "string", "description": "the diff, paths prefixed a/ and b/"}},
    ("patch",)), apply_patch)
