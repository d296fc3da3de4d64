"""The harness's error hierarchy, drawn once.

    HarnessError                 anything the harness raises on purpose
    +-- BankError                a task bank row is malformed (file, line, field)
    +-- TaskFieldError           a case lacks what its capability or grader needs (one
    |                            field); loading a bank turns it into a BankError
    +-- ConfigError              bad options or URIs given by the user
    +-- InfrastructureError      the harness or its sandbox failed, not the model;
    |   |                        counted apart from model failures and retried
    |   +-- SandboxError         provisioning, exec or teardown of a sandbox failed
    |   +-- GradingError         the grader could not produce a verdict
    |   |   +-- BrokenTaskError  the case itself is broken (its hidden tests do not apply)
    |   +-- PolicyError          the policy backend failed (endpoint down, crash)
    +-- RunDirError              a run directory is missing or unreadable

Errors the model should see (a bad tool argument, a patch that does not
apply) are not exceptions of this hierarchy: tools return them as
observations (``ToolError`` is caught by the agent loop and shown to the model).
"""

from __future__ import annotations


class HarnessError(Exception):
    """Base class of every error the harness raises deliberately."""


class BankError(HarnessError):
    """A task bank row is malformed."""

    def __init__(self, path: str, line: int, field: str, expected: str) -> None:
        self.path, self.line, self.field, self.expected = path, line, field, expected
        super().__init__(f"{path}:{line}: field {field!r}: {expected}")


class TaskFieldError(HarnessError):
    """One field of a case does not hold what its capability or grader needs."""

    def __init__(self, field: str, expected: str) -> None:
        self.field, self.expected = field, expected
        super().__init__(f"field {field!r}: {expected}")


class ConfigError(HarnessError):
    """The user asked for something the harness cannot do; the message says what to do."""


class InfrastructureError(HarnessError):
    """Something other than the model failed; never counted as a model failure."""


class SandboxError(InfrastructureError):
    """A sandbox could not be provisioned, used or torn down."""


class GradingError(InfrastructureError):
    """The grader could not reach a verdict (for example the hidden tests do not apply)."""


class BrokenTaskError(GradingError):
    """The case itself is broken: no candidate could be graded on it. Never the model's
    failure; ``harness tasks validate`` reports it as a broken case."""


class PolicyError(InfrastructureError):
    """The policy backend failed (as opposed to the model producing a bad answer)."""


class RunDirError(HarnessError):
    """A run directory is missing, not a run directory, or holds unreadable rows."""


class ToolError(Exception):
    """A tool call failed in a way the model should be told about (an observation)."""
