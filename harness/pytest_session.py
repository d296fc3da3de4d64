"""The harness session: registered by ``harness.pytest_plugin`` when ``--model`` is given.

Where each part runs (with xdist; without it, one process does everything):

- the controller checks every option when the session is configured (a bad one is a
  usage error, exit 4, before any worker starts) and, at the end, decides the gates
  from ``plan.json`` and ``results.jsonl`` and prints them last;
- each worker turns the suite modules' capabilities into test items, writes the plan
  of what it collected, and runs the cases it is given.
"""

from __future__ import annotations

import functools
import os
import uuid
from collections.abc import Generator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from harness.agent import AgentBudget
from harness.bank import Bank, load_bank, read_case_patterns, select_cases
from harness.capabilities import get_capability
from harness.context import ContextConfig
from harness.errors import ConfigError, HarnessError, InfrastructureError
from harness.gate import GateReport, Key, decide_gate, gate_line
from harness.policies import split_uri
from harness.protocols import Capability
from harness.pytest_plugin import fail_collection, is_suite_test
from harness.results import CaseResult
from harness.run_config import RunConfig
from harness.run_meta import run_metadata
from harness.run_records import GateRecord, PlannedCase, RunPlan
from harness.rundir import RunDir
from harness.runner import run_case
from harness.sandbox.local import resolve_isolation
from harness.scoring import format_scores, mean_scores
from harness.task import Task


@dataclass(frozen=True)
class CaseParam:
    """One parametrised case: a task and an epoch."""

    task: Task
    epoch: int

    @property
    def key(self) -> Key:
        return (self.task.instance_id, self.epoch)


def checked_run_config(config: pytest.Config) -> RunConfig:
    """The options as a RunConfig; ``ConfigError`` with one line saying what to do when one
    is out of range or names something that is not there."""
    option = config.getoption
    for name, low in (("--max-turns", 1), ("--epochs", 1), ("--infra-retries", 0),
                      ("--keep-observations", 0), ("--max-context-tokens", 1)):
        value = option(name)
        if value is not None and value < low:
            raise ConfigError(f"{name} must be at least {low}, got {value}")
    if option("--case-timeout") <= 0:
        raise ConfigError(f"--case-timeout must be a positive number of seconds, got "
                          f"{option('--case-timeout')}")
    for name in ("--gate-pass-rate", "--max-infra-error-rate"):
        value = option(name)
        if value is not None and not 0 <= value <= 1:
            raise ConfigError(f"{name} is a share of cases: give a number in [0, 1] "
                              f"(0.5 for half), got {value}")
    bank = option("--bank")
    if bank is not None and not bank.startswith("hf:") and not Path(bank).is_file():
        raise ConfigError(f"--bank {bank}: no such file; give a task bank (.jsonl, or a "
                          "dataset file or hf:NAME for the SWE-bench family)")
    read_case_patterns(option("--cases"))
    model = option("--model")
    split_uri(model)
    return RunConfig(
        model=model, sandbox=option("--sandbox"),
        isolation=resolve_isolation(option("--isolation")),
        budget=AgentBudget(max_turns=option("--max-turns"), wall_time=option("--case-timeout")),
        context=ContextConfig(keep_observations=option("--keep-observations"),
                              max_context_tokens=option("--max-context-tokens")),
        infra_retries=option("--infra-retries"))


def checked_baseline(path: str) -> RunDir:
    """A baseline must be a run directory with results."""
    baseline = RunDir(Path(path))
    if not baseline.exists():
        raise ConfigError(f"--baseline {path}: not a run directory (no meta.json); give the run "
                          "directory of an earlier run, e.g. --baseline runs/RUN")
    baseline.meta()
    if not baseline.latest():
        raise ConfigError(f"--baseline {path}: the run has no results to compare with")
    return baseline


class HarnessSession:
    """Per-session state: options, the run directory, the gates."""

    def __init__(self, config: pytest.Config, run_config: RunConfig) -> None:
        self.config = config
        self.run_config = run_config
        worker_input: dict[str, Any] = getattr(config, "workerinput", {})
        self.is_worker = "harness_run_dir" in worker_input
        self.token: str = worker_input.get("harness_token") or uuid.uuid4().hex
        self.run_dir = RunDir(Path(worker_input.get("harness_run_dir") or self._default_run_dir()))
        baseline = config.getoption("--baseline")
        self.baseline = checked_baseline(baseline) if baseline else None
        self.gates: list[GateReport] = []
        self.latest: dict[Key, CaseResult] = {}  # the planned cases' rows, for the summary
        self._banks: dict[str, Bank] = {}

    @classmethod
    def start(cls, config: pytest.Config) -> HarnessSession:
        """Check every option (a bad one is a usage error with one line) and open the run."""
        try:
            session = cls(config, checked_run_config(config))
            if not session.is_worker:
                session.check_run_dir()
                session.check_backend()
        except HarnessError as exc:
            raise pytest.UsageError(str(exc)) from exc
        return session

    def _default_run_dir(self) -> str:
        chosen = self.config.getoption("--run-dir")
        if chosen:
            return str(chosen)
        slug = "".join(c if c.isalnum() else "-" for c in self.run_config.model)[:40].strip("-")
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        root = Path(os.environ.get("HARNESS_RUNS", self.config.rootpath / "runs"))
        return str(root / f"{stamp}-{slug}-{uuid.uuid4().hex[:4]}")

    def check_run_dir(self) -> None:
        """An existing run directory may only be resumed, and only with its own model."""
        if not self.run_dir.exists():
            return
        if not self.config.getoption("--resume"):
            raise ConfigError(f"run directory {self.run_dir.path} already exists; pass --resume "
                              "to continue it, or choose another --run-dir")
        recorded = self.run_dir.meta().model
        if recorded != self.run_config.model:
            raise ConfigError(f"cannot resume {self.run_dir.path}: it was run with model "
                              f"{recorded!r}, not {self.run_config.model!r}")

    def check_backend(self) -> None:
        """Fail once, now, where the chosen backend cannot run at all (no Docker engine),
        rather than with an infrastructure error in every case."""
        if self.run_config.sandbox == "docker":
            from harness.sandbox.backends import shared_docker_client

            shared_docker_client()

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["harness_run_dir"] = str(self.run_dir.path)
        node.workerinput["harness_token"] = self.token

    def pytest_report_header(self, config: pytest.Config) -> str:
        run = self.run_config
        return (f"harness: model={run.model} sandbox={run.sandbox} "
                f"isolation={run.isolation_used} run dir={self.run_dir.path}")

    # -- collection (workers) ---------------------------------------------------------------

    def bank(self, path: str, capability: Capability) -> Bank:
        """A bank source read as ``capability`` reads it (the harness's JSONL by default)."""
        if path not in self._banks:
            read = capability.read_bank
            self._banks[path] = read(path.removeprefix("hf:")) if read is not None else \
                load_bank(Path(path))
        return self._banks[path]

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        if not is_suite_test(metafunc):
            return
        try:
            params = self.suite_cases(metafunc)
            self.open_run_dir()
        except HarnessError as exc:
            fail_collection(metafunc, str(exc))
        several = self.config.getoption("--epochs") > 1
        metafunc.parametrize("harness_case", params, ids=[
            f"{p.task.instance_id}@{p.epoch}" if several else p.task.instance_id for p in params])

    def suite_cases(self, metafunc: pytest.Metafunc) -> list[CaseParam]:
        """The selected cases of the module's capability, once per epoch."""
        capability, paths = self.suite_banks(metafunc)
        if self.run_config.sandbox not in capability.sandboxes:
            raise ConfigError(f"{capability.name} runs only in its rows' own images: use "
                              f"--sandbox {' or '.join(capability.sandboxes)}")
        tasks = select_cases(self.capability_tasks(capability, paths),
                             self.config.getoption("--cases"))
        params = [CaseParam(task, epoch) for task in tasks
                  for epoch in range(1, self.config.getoption("--epochs") + 1)]
        self.check_pairing(capability.name, params)
        return params

    def suite_banks(self, metafunc: pytest.Metafunc) -> tuple[Capability, list[str]]:
        """The capability a suite module names, and the banks it runs: ``--bank``, else the
        marker's ``banks``, else the capability's own (relative to the module)."""
        marker = metafunc.definition.get_closest_marker("harness_suite")
        assert marker is not None
        if set(marker.kwargs) - {"capability", "banks"} or "capability" not in marker.kwargs:
            raise ConfigError(f"{metafunc.module.__file__}: harness_suite takes capability= and "
                              f"optionally banks=, got {sorted(marker.kwargs)}")
        capability = get_capability(str(marker.kwargs["capability"]))
        bank_option = self.config.getoption("--bank")
        module_dir = Path(str(metafunc.module.__file__)).parent
        if bank_option:
            paths = [bank_option if bank_option.startswith("hf:")
                     else str(Path(bank_option).resolve())]
        else:
            paths = [name if name.startswith("hf:") else str((module_dir / name).resolve())
                     for name in marker.kwargs.get("banks", capability.banks)]
        for path in paths:
            if not path.startswith("hf:") and not Path(path).is_file():
                raise ConfigError(f"{capability.name}: no bank at {path}; generate it "
                                  "(harness tasks generate) or pass --bank")
        return capability, paths

    def capability_tasks(self, capability: Capability, paths: list[str]) -> list[Task]:
        """Every case of the banks: each of the capability, each id once."""
        origin: dict[str, str] = {}
        tasks: list[Task] = []
        name = capability.name
        for path in paths:
            for task in self.bank(path, capability).tasks:
                if task.capability != name:
                    raise ConfigError(f"{path}: case {task.instance_id!r} is a {task.capability} "
                                      f"case; the {name} suite runs only {name} cases")
                if task.instance_id in origin:
                    raise ConfigError(f"case {task.instance_id!r} is in both {path} and "
                                      f"{origin[task.instance_id]}; instance ids must be unique")
                origin[task.instance_id] = path
                tasks.append(task)
        return tasks

    def check_pairing(self, capability: str, params: list[CaseParam]) -> None:
        """A baseline that shares no case with the suite cannot show a regression."""
        if self.baseline is None:
            return
        recorded = {key for key, row in self.baseline.latest().items() if row.is_final}
        if not any(param.key in recorded for param in params):
            raise ConfigError(f"--baseline {self.baseline.path} shares none of the "
                              f"{len(params)} selected {capability} cases; compare against a "
                              "run of the same bank")

    def open_run_dir(self) -> None:
        """Create the run directory and its ``meta.json`` (the first worker wins)."""
        meta = run_metadata(self.run_config, self.token, self.config.invocation_params.args,
                            list(self._banks.values()))
        self.run_dir.create(meta)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        """Write the plan: every harness item collected, so the gate can count what never
        ran. Every worker collects the same items."""
        cases = [PlannedCase(nodeid=item.nodeid, instance_id=param.task.instance_id,
                             epoch=param.epoch, capability=param.task.capability,
                             gate_pass_rate=get_capability(param.task.capability).gate_pass_rate)
                 for item, param in harness_items(session.items)]
        if cases:
            self.run_dir.write_plan(RunPlan(session=self.token, cases=cases))

    # -- cases (workers) --------------------------------------------------------------------

    @functools.cached_property
    def recorded(self) -> dict[Key, CaseResult]:
        """The rows recorded before this session (read once, for ``--resume``)."""
        return self.run_dir.latest()

    def run(self, param: CaseParam, item: pytest.Item) -> CaseResult:
        """Run one case; an infrastructure error after retries is raised (E, not F)."""
        if self.config.getoption("--resume"):
            recorded = self.recorded.get(param.key)
            if recorded is not None and recorded.is_final:
                pytest.skip(f"already recorded in {self.run_dir.path} ({recorded.status})")
        hook = self.config.hook
        hook.pytest_harness_case_started(item=item, task=param.task, epoch=param.epoch)
        result = run_case(param.task, param.epoch, self.run_config, self.run_dir)
        hook.pytest_harness_case_finished(item=item, result=result)
        if not result.is_final:
            raise InfrastructureError(f"infrastructure error after {result.attempts} "
                                      f"attempt(s), not a model failure: {result.error}")
        return result

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item, call: pytest.CallInfo[None],
                                  ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Show harness errors (infrastructure, a replay with no trajectory) as one line,
        not as a traceback of the harness."""
        report: pytest.TestReport = yield
        if call.excinfo is not None and call.excinfo.errisinstance(HarnessError):
            report.longrepr = f"{item.nodeid}: {call.excinfo.value}"
        return report

    # -- the gate (controller) --------------------------------------------------------------

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.is_worker or self.config.option.collectonly or \
                exitstatus == pytest.ExitCode.USAGE_ERROR:
            return
        plan = self.run_dir.plan()
        if plan is None or plan.session != self.token:
            return  # nothing of a harness suite was collected in this session
        interrupted = exitstatus == pytest.ExitCode.INTERRUPTED
        latest = self.run_dir.latest()
        self.latest = {case.key: latest[case.key] for case in plan.cases if case.key in latest}
        self.gates = self.decide_gates(plan, latest, interrupted)
        self.run_dir.write_gate(GateRecord(
            session=self.token, finished_at=datetime.now(UTC).isoformat(timespec="seconds"),
            interrupted=interrupted, gates=self.gates,
            lost_items=[case.nodeid for case in plan.cases if case.key not in latest]))
        self.config.hook.pytest_harness_gate_decided(config=self.config, gates=self.gates)
        if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            passed = all(gate.verdict == "pass" for gate in self.gates)
            session.exitstatus = pytest.ExitCode.OK if passed else pytest.ExitCode.TESTS_FAILED

    def decide_gates(self, plan: RunPlan, latest: dict[Key, CaseResult],
                     interrupted: bool) -> list[GateReport]:
        """One gate per capability, over the cases this session planned."""
        planned: dict[str, list[PlannedCase]] = {}
        for case in plan.cases:
            planned.setdefault(case.capability, []).append(case)
        override = self.config.getoption("--gate-pass-rate")
        baseline = self.baseline.latest() if self.baseline is not None else None
        return [decide_gate(
            capability, [case.key for case in cases], latest,
            threshold=override if override is not None else cases[0].gate_pass_rate,
            baseline=baseline, baseline_name=str(self.config.getoption("--baseline") or ""),
            max_infra_error_rate=self.config.getoption("--max-infra-error-rate"),
            interrupted=interrupted)
            for capability, cases in sorted(planned.items())]

    def pytest_unconfigure(self, config: pytest.Config) -> None:
        """The gate is the last thing printed, after pytest's own summary."""
        reporter = config.pluginmanager.get_plugin("terminalreporter")
        if not self.gates or reporter is None:
            return
        reporter.write_sep("=", "harness gate")
        for gate in self.gates:
            reporter.write_line(gate_line(gate), bold=True, green=gate.verdict == "pass",
                                red=gate.verdict != "pass")
            for reason in gate.reasons:
                reporter.write_line(f"  - {reason}")
            rows = [row.scores for row in self.latest.values()
                    if row.capability == gate.capability]
            if any(rows):
                reporter.write_line(f"  scores: {format_scores(mean_scores(rows))}")
        reporter.write_line(f"run directory: {self.run_dir.path}")


def harness_items(items: list[pytest.Item]) -> list[tuple[pytest.Item, CaseParam]]:
    """The collected items of harness suites, with their case."""
    found: list[tuple[pytest.Item, CaseParam]] = []
    for item in items:
        if isinstance(item, pytest.Function) and item.get_closest_marker("harness_suite"):
            param = item.callspec.params.get("harness_case")
            if isinstance(param, CaseParam):
                found.append((item, param))
    return found
