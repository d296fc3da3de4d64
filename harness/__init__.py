"""An evaluation harness for coding agents: tasks, sandboxes, tools, policies, grading, gates.

The pieces are importable for notebooks and other tools; the pytest plugin
(``harness.pytest_plugin``) and the ``harness`` CLI are built from them. Names are
imported on first use (``harness.RunDir`` loads ``harness.rundir`` then), so
``import harness`` costs nothing until something is used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS: dict[str, str] = {
    "AgentBudget": "harness.agent", "AgentLoop": "harness.agent",
    "AssistantTurn": "harness.trajectory", "Message": "harness.trajectory",
    "ToolCall": "harness.trajectory", "Trajectory": "harness.trajectory",
    "Bank": "harness.bank", "load_bank": "harness.bank",
    "BankError": "harness.errors", "BrokenTaskError": "harness.errors",
    "ConfigError": "harness.errors", "GradingError": "harness.errors",
    "HarnessError": "harness.errors", "InfrastructureError": "harness.errors",
    "PolicyError": "harness.errors", "SandboxError": "harness.errors",
    "TaskFieldError": "harness.errors", "ToolError": "harness.errors",
    "Capability": "harness.protocols", "Grader": "harness.protocols",
    "Policy": "harness.protocols", "Sandbox": "harness.protocols", "Tool": "harness.protocols",
    "get_capability": "harness.capabilities", "register": "harness.capabilities",
    "CaseResult": "harness.results", "Outcome": "harness.results",
    "Submission": "harness.results",
    "GateReport": "harness.gate", "decide_gate": "harness.gate",
    "LocalSandbox": "harness.sandbox.local",
    "RunConfig": "harness.run_config", "RunDir": "harness.rundir",
    "run_case": "harness.runner", "make_policy": "harness.policies",
    "Task": "harness.task", "default_tools": "harness.tools",
}
__all__ = [
    "AgentBudget", "AgentLoop", "AssistantTurn", "Bank", "BankError", "BrokenTaskError",
    "Capability", "CaseResult", "ConfigError", "GateReport", "Grader", "GradingError",
    "HarnessError", "InfrastructureError", "LocalSandbox", "Message", "Outcome", "Policy",
    "PolicyError", "RunConfig", "RunDir", "Sandbox", "SandboxError", "Submission", "Task",
    "TaskFieldError", "Tool", "ToolCall", "ToolError", "Trajectory", "decide_gate",
    "default_tools", "get_capability", "load_bank", "make_policy", "register", "run_case",
]

if TYPE_CHECKING:
    from harness.agent import AgentBudget, AgentLoop
    from harness.bank import Bank, load_bank
    from harness.capabilities import get_capability, register
    from harness.errors import (
        BankError,
        BrokenTaskError,
        ConfigError,
        GradingError,
        HarnessError,
        InfrastructureError,
        PolicyError,
        SandboxError,
        TaskFieldError,
        ToolError,
    )
    from harness.gate import GateReport, decide_gate
    from harness.policies import make_policy
    from harness.protocols import Capability, Grader, Policy, Sandbox, Tool
    from harness.results import CaseResult, Outcome, Submission
    from harness.run_config import RunConfig
    from harness.rundir import RunDir
    from harness.runner import run_case
    from harness.sandbox.local import LocalSandbox
    from harness.task import Task
    from harness.tools import default_tools
    from harness.trajectory import AssistantTurn, Message, ToolCall, Trajectory


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'harness' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
