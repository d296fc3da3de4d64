"""Sandboxes: where a case's repository lives and its commands run."""

from harness.process import ExecResult, run_bounded
from harness.sandbox.local import LocalSandbox, resolve_isolation

__all__ = ["ExecResult", "LocalSandbox", "resolve_isolation", "run_bounded"]
