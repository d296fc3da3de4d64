"""Tools the model calls (the agent-computer interface), in OpenAI function format."""

from __future__ import annotations

from harness.protocols import Tool
from harness.task import Task
from harness.tools._base import FunctionTool, bound_text, check_arguments
from harness.tools.coverage import make_coverage_tools
from harness.tools.editing import APPLY_PATCH, make_run_tests
from harness.tools.git import TOOLS as GIT_TOOLS
from harness.tools.navigation import TOOLS as NAVIGATION_TOOLS


def default_tools(task: Task) -> dict[str, Tool]:
    """Every tool of the harness by name, ``run_tests`` and the coverage tools bound to the
    task's test command: navigation's tool set, and the base others choose from."""
    tools: list[Tool] = [*NAVIGATION_TOOLS, APPLY_PATCH, make_run_tests(task.test_command),
                         *GIT_TOOLS, *make_coverage_tools(task.test_command)]
    return {tool.spec.name: tool for tool in tools}


__all__ = ["FunctionTool", "bound_text", "check_arguments", "default_tools"]
