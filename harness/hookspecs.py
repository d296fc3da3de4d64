"""The harness's own pytest hooks, for plugins and conftest files that watch a run.

Implement them like any pytest hook (in a conftest.py or a plugin)::

    def pytest_harness_case_finished(item, result):
        print(item.nodeid, result.status, result.seconds)

Case hooks are called in the process that runs the case (an xdist worker, or the
only process); ``pytest_harness_gate_decided`` in the one that decides the gate
(the xdist controller, or the only process), after ``gate.json`` is written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from harness.gate import GateReport
    from harness.results import CaseResult
    from harness.task import Task

hookspec = pytest.hookspec


@hookspec
def pytest_harness_case_started(item: pytest.Item, task: Task, epoch: int) -> None:
    """A case is about to run (not called for one skipped under ``--resume``)."""


@hookspec
def pytest_harness_case_finished(item: pytest.Item, result: CaseResult) -> None:
    """A case has run and its row is in ``results.jsonl`` (an infrastructure error too)."""


@hookspec
def pytest_harness_gate_decided(config: pytest.Config, gates: list[GateReport]) -> None:
    """Every capability's gate has been decided and recorded; ``gates`` is in name order."""
