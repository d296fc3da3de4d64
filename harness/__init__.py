"""An evaluation harness for coding agents: tasks, sandboxes, tools, policies, grading, gates.

The pieces are importable for notebooks and other tools; the pytest plugin
(``harness.pytest_plugin``) and the ``harness`` CLI are built from them.
"""

from harness.agent import AgentBudget, AgentLoop
from harness.errors import (
    BankError,
    BrokenTaskError,
    ConfigError,
    GradingError,
    HarnessError,
    InfrastructureError,
    PolicyError,
    SandboxError,
    ToolError,
)
from harness.gate import GateReport, decide_gate
from harness.grading import grade
from harness.policies import make_policy
from harness.results import CaseResult, Outcome
from harness.rundir import RunDir
from harness.runner import RunConfig, run_case
from harness.sandbox import LocalSandbox
from harness.task import Bank, Task, load_bank
from harness.tools import default_tools
from harness.trajectory import AssistantTurn, Message, ToolCall, Trajectory

__all__ = [
    "AgentBudget", "AgentLoop", "AssistantTurn", "Bank", "BankError", "BrokenTaskError",
    "CaseResult",
    "ConfigError", "GateReport", "GradingError", "HarnessError", "InfrastructureError",
    "LocalSandbox", "Message", "Outcome", "PolicyError", "RunConfig", "RunDir", "SandboxError",
    "Task", "ToolCall", "ToolError", "Trajectory", "decide_gate", "default_tools", "grade",
    "load_bank", "make_policy", "run_case",
]
