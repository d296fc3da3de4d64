"""The pytest plugin: one test item per case, results merged across xdist workers, a gate.

A suite module declares its bank (a file, or a list of files) with a marker and writes
one test::

    pytestmark = pytest.mark.harness_suite(capability="navigation", bank="bank.jsonl",
                                           gate_pass_rate=0.5)

    def test_case(case_result):
        assert_resolved(case_result)

Infrastructure errors surface in the ``case_result`` fixture, so pytest reports
them as errors (E), apart from model failures (F). At session end the
controller reads ``results.jsonl``, decides each capability's gate and sets the
exit status: 0 only when every gate passes.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest

from harness.agent import AgentBudget
from harness.context import ContextConfig
from harness.errors import ConfigError, HarnessError, InfrastructureError
from harness.gate import GateReport, Key, decide_gate
from harness.policies import split_uri
from harness.results import CaseResult
from harness.run_meta import run_metadata
from harness.rundir import RunDir
from harness.runner import RunConfig, run_case
from harness.sandbox.backends import BACKENDS, shared_docker_client
from harness.sandbox.local import resolve_isolation
from harness.scoring import format_scores, mean_scores
from harness.task import Bank, Task, load_bank

SESSION_KEY = pytest.StashKey["HarnessSession"]()
_CASE_PROPERTY = "harness_case"


@dataclass(frozen=True)
class CaseParam:
    """One parametrised case: a task, an epoch and the suite's gate threshold."""

    task: Task
    epoch: int
    gate_pass_rate: float
    bank_path: str

    @property
    def key(self) -> Key:
        return (self.task.instance_id, self.epoch)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "evaluation harness (suites/)")
    group.addoption("--model", help="policy URI: oracle, null, replay:RUN/trajectories, "
                    "openai:http://HOST:PORT/v1#MODEL")
    group.addoption("--sandbox", default="local", choices=list(BACKENDS),
                    help="sandbox backend: local (a copy here) or docker (a container per case)")
    group.addoption("--isolation", default="auto", choices=["auto", "bwrap", "none"],
                    help="local sandbox isolation (auto: bubblewrap when usable)")
    group.addoption("--bank", help="task bank JSONL to use instead of the suite's own")
    group.addoption("--cases", help="comma-separated instance ids or globs, or @FILE of ids")
    group.addoption("--epochs", type=int, default=1, help="runs of each case (default 1)")
    group.addoption("--max-turns", type=int, default=30, help="policy steps per case")
    group.addoption("--case-timeout", type=float, default=600.0,
                    help="agent wall time per case, in seconds")
    group.addoption("--keep-observations", type=int,
                    help="show the model only the last N tool outputs in full (default all)")
    group.addoption("--max-context-tokens", type=int,
                    help="end an episode when its Harmony prompt would exceed N tokens")
    group.addoption("--run-dir", help="run directory (default runs/<time>-<model>)")
    group.addoption("--resume", action="store_true",
                    help="continue the run in --run-dir, skipping cases already recorded")
    group.addoption("--gate-pass-rate", type=float,
                    help="gate threshold (default: the suite's own)")
    group.addoption("--baseline", help="baseline run directory; the gate fails on a "
                    "significant regression against it (exact McNemar, alpha 0.05)")
    group.addoption("--infra-retries", type=int, default=2,
                    help="retries of a case after an infrastructure error")
    group.addoption("--max-infra-error-rate", type=float, default=0.0,
                    help="share of cases allowed to end in infrastructure errors")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "harness_suite(capability, bank, gate_pass_rate): "
                            "a module whose test_case items are the bank's cases")
    session = HarnessSession(config)
    config.stash[SESSION_KEY] = session
    config.pluginmanager.register(session, "harness-session")


class HarnessSession:
    """Per-session state: options, the run directory, the cases seen, the gates."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        worker_input: dict[str, Any] = getattr(config, "workerinput", {})
        self.is_worker = "harness_run_dir" in worker_input
        self.token = worker_input.get("harness_token") or uuid.uuid4().hex
        self.run_dir = RunDir(Path(worker_input.get("harness_run_dir") or self._default_run_dir()))
        self.cases: dict[Key, dict[str, Any]] = {}
        self.unaccounted: set[str] = set()
        self.harness_files: set[str] = set()
        self.gates: list[GateReport] = []
        self._banks: dict[str, Bank] = {}
        self._config: RunConfig | None = None
        self._run_dir_open = False

    def _default_run_dir(self) -> str:
        chosen = self.config.getoption("--run-dir")
        if chosen:
            return str(chosen)
        model = str(self.config.getoption("--model") or "model")
        slug = "".join(c if c.isalnum() else "-" for c in model)[:40].strip("-")
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        root = Path(os.environ.get("HARNESS_RUNS", self.config.rootpath / "runs"))
        return str(root / f"{stamp}-{slug}-{uuid.uuid4().hex[:4]}")

    @pytest.hookimpl(optionalhook=True)
    def pytest_configure_node(self, node: Any) -> None:
        node.workerinput["harness_run_dir"] = str(self.run_dir.path)
        node.workerinput["harness_token"] = self.token

    def run_config(self) -> RunConfig:
        """Options turned into a RunConfig, checked once."""
        if self._config is None:
            option = self.config.getoption
            model = option("--model")
            if not model:
                raise ConfigError("choose a model with --model (oracle, null, "
                                  "replay:runs/RUN/trajectories, openai:URL#MODEL)")
            split_uri(model)
            self._config = RunConfig(
                model=model, sandbox=option("--sandbox"),
                isolation=resolve_isolation(option("--isolation")),
                budget=AgentBudget(max_turns=option("--max-turns"),
                                   wall_time=option("--case-timeout")),
                context=ContextConfig(keep_observations=option("--keep-observations"),
                                      max_context_tokens=option("--max-context-tokens")),
                infra_retries=option("--infra-retries"))
        return self._config

    def bank(self, path: str) -> Bank:
        if path not in self._banks:
            self._banks[path] = load_bank(Path(path))
        return self._banks[path]

    def case_origins(self, bank_paths: list[str]) -> dict[str, tuple[Task, str]]:
        """Every case of the banks by instance id, with the bank it came from (ids unique)."""
        origin: dict[str, tuple[Task, str]] = {}
        for path in bank_paths:
            for task in self.bank(path).tasks:
                if task.instance_id in origin:
                    raise ConfigError(f"case {task.instance_id!r} is in both {path} and "
                                      f"{origin[task.instance_id][1]}; instance ids must be unique")
                origin[task.instance_id] = (task, path)
        return origin

    def pytest_generate_tests(self, metafunc: pytest.Metafunc) -> None:
        marker = metafunc.definition.get_closest_marker("harness_suite")
        if marker is None or "harness_case" not in metafunc.fixturenames:
            return
        module_dir = Path(str(metafunc.module.__file__)).parent
        bank_option = self.config.getoption("--bank")
        declared = marker.kwargs["bank"]
        names = [declared] if isinstance(declared, str) else list(declared)
        bank_paths = ([str(Path(bank_option).resolve())] if bank_option
                      else [str(module_dir / name) for name in names])
        try:
            origin = self.case_origins(bank_paths)
            tasks = select_cases([task for task, _ in origin.values()],
                                 self.config.getoption("--cases"))
            self.check_backend()
            self.open_run_dir()
        except HarnessError as exc:
            # A collection error, not a UsageError: xdist workers report it cleanly.
            raise pytest.Collector.CollectError(str(exc)) from exc
        epochs = self.config.getoption("--epochs")
        gate = float(marker.kwargs.get("gate_pass_rate", 1.0))
        params = [CaseParam(task, epoch, gate, origin[task.instance_id][1])
                  for task in tasks for epoch in range(1, epochs + 1)]
        metafunc.parametrize("harness_case", params, ids=[
            p.task.instance_id if epochs == 1 else f"{p.task.instance_id}@{p.epoch}"
            for p in params])

    def check_backend(self) -> None:
        """Fail at collection, once, where the chosen backend cannot run at all (no Docker
        engine), rather than with an infrastructure error in every case."""
        if self.run_config().sandbox == "docker":
            shared_docker_client()

    def open_run_dir(self) -> None:
        """Create the run directory (first worker wins), or check it may be resumed."""
        if self._run_dir_open:
            return
        config = self.run_config()
        meta = run_metadata(config, self.token, self.config.invocation_params.args,
                            list(self._banks.values()))
        self._run_dir_open = self.run_dir.create(meta)
        if self._run_dir_open:
            return
        existing = self.run_dir.meta()
        if existing.get("session") == self.token:
            self._run_dir_open = True
            return
        if not self.config.getoption("--resume"):
            raise ConfigError(f"run directory {self.run_dir.path} already exists; pass --resume "
                              "to continue it, or choose another --run-dir")
        if existing.get("model") != config.model:
            raise ConfigError(f"cannot resume {self.run_dir.path}: it was run with model "
                              f"{existing.get('model')!r}, not {config.model!r}")
        self._run_dir_open = True

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        props: dict[str, Any] = dict(report.user_properties)
        if _CASE_PROPERTY in props:
            case: dict[str, Any] = props[_CASE_PROPERTY]
            self.cases[(case["instance_id"], case["epoch"])] = case
            self.harness_files.add(report.nodeid.split("::", 1)[0])
        elif report.failed:
            self.unaccounted.add(report.nodeid)

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        if self.is_worker or not self.cases:
            return
        lost = {n for n in self.unaccounted if n.split("::", 1)[0] in self.harness_files}
        self.gates = self.decide_gates(len(lost))
        self.run_dir.write_json("gate.json", {
            "finished_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "lost_items": sorted(lost), "gates": [g.model_dump() for g in self.gates]})
        if exitstatus in (pytest.ExitCode.OK, pytest.ExitCode.TESTS_FAILED):
            passed = all(gate.verdict == "pass" for gate in self.gates)
            session.exitstatus = pytest.ExitCode.OK if passed else pytest.ExitCode.TESTS_FAILED

    def decide_gates(self, lost_items: int) -> list[GateReport]:
        latest = self.run_dir.latest()
        baseline_option = self.config.getoption("--baseline")
        baseline = RunDir(Path(baseline_option)).latest() if baseline_option else None
        by_capability: dict[str, list[Key]] = {}
        thresholds: dict[str, float] = {}
        for key, case in self.cases.items():
            by_capability.setdefault(case["capability"], []).append(key)
            thresholds[case["capability"]] = case["gate_pass_rate"]
        override = self.config.getoption("--gate-pass-rate")
        return [decide_gate(
            capability, keys, latest,
            threshold=override if override is not None else thresholds[capability],
            baseline=baseline, baseline_name=str(baseline_option or ""),
            max_infra_error_rate=self.config.getoption("--max-infra-error-rate"),
            lost=lost_items if len(by_capability) == 1 else 0)
            for capability, keys in sorted(by_capability.items())]

    @pytest.hookimpl(wrapper=True)
    def pytest_runtest_makereport(self, item: pytest.Item,
                                  call: pytest.CallInfo[None],
                                  ) -> Generator[None, pytest.TestReport, pytest.TestReport]:
        """Show infrastructure errors as one line, not a traceback of the harness."""
        report: pytest.TestReport = yield
        if call.excinfo is not None and call.excinfo.errisinstance(InfrastructureError):
            report.longrepr = f"{item.nodeid}: {call.excinfo.value}"
        return report

    def pytest_report_header(self, config: pytest.Config) -> str | None:
        if not config.getoption("--model"):
            return None
        try:
            run = self.run_config()
        except HarnessError:
            return None  # collection reports it, with what to do
        return (f"harness: model={run.model} sandbox={run.sandbox} "
                f"isolation={run.isolation_used} run dir={self.run_dir.path}")

    def pytest_terminal_summary(self, terminalreporter: Any) -> None:
        if not self.gates:
            return
        write = terminalreporter.write_line
        terminalreporter.section("harness gate")
        latest = self.run_dir.latest()
        for gate in self.gates:
            write(gate_line(gate), bold=True, green=gate.verdict == "pass",
                  red=gate.verdict != "pass")
            for reason in gate.reasons:
                write(f"  - {reason}")
            rows = [latest[k].scores for k, case in self.cases.items()
                    if case["capability"] == gate.capability and k in latest]
            if any(rows):
                write(f"  scores: {format_scores(mean_scores(rows))}")
        write(f"run directory: {self.run_dir.path}")


def gate_line(gate: GateReport) -> str:
    """One line: the verdict and the numbers behind it."""
    line = (f"{gate.capability}: {gate.verdict.upper()}  {gate.resolved}/"
            f"{gate.resolved + gate.unresolved} resolved, pass rate {gate.pass_rate:.1%} "
            f"(95% CI {gate.ci_low:.1%}-{gate.ci_high:.1%}), gate >= {gate.threshold:.1%}; "
            f"infrastructure errors: {gate.infra_errors}, not recorded: {gate.not_recorded}")
    if gate.baseline is not None:
        line += (f"; vs baseline: {len(gate.baseline.fixes)} fixed, "
                 f"{len(gate.baseline.regressions)} broken, p={gate.baseline.p_value:.3g}")
    return line


def select_cases(tasks: list[Task], selector: str | None) -> list[Task]:
    """Filter by ``--cases``: ids or globs separated by commas, or ``@file`` with one per line."""
    if not selector:
        return tasks
    if selector.startswith("@"):
        patterns = [line.strip() for line in Path(selector[1:]).read_text().splitlines()
                    if line.strip() and not line.startswith("#")]
    else:
        patterns = [part.strip() for part in selector.split(",") if part.strip()]
    chosen = [t for t in tasks if any(fnmatch(t.instance_id, p) for p in patterns)]
    if not chosen:
        raise ConfigError(f"--cases {selector!r} matches no case of the bank")
    return chosen


@pytest.fixture
def case_result(harness_case: CaseParam, request: pytest.FixtureRequest) -> Iterator[CaseResult]:
    """Run the case (or reuse its recorded row under --resume); infrastructure errors -> E."""
    session = request.config.stash[SESSION_KEY]
    request.node.user_properties.append((_CASE_PROPERTY, {
        "instance_id": harness_case.task.instance_id, "epoch": harness_case.epoch,
        "capability": harness_case.task.capability,
        "gate_pass_rate": harness_case.gate_pass_rate}))
    if request.config.getoption("--resume"):
        recorded = session.run_dir.latest().get(harness_case.key)
        if recorded is not None and recorded.is_final:
            pytest.skip(f"already recorded in {session.run_dir.path} ({recorded.status})")
    result = run_case(harness_case.task, harness_case.epoch, session.run_config(),
                      session.run_dir)
    if not result.is_final:
        raise InfrastructureError(f"infrastructure error after {result.attempts} attempt(s), "
                                  f"not a model failure: {result.error}")
    yield result


def assert_resolved(result: CaseResult) -> None:
    """Fail the test with the grader's one-line reason unless the case was resolved."""
    assert result.outcome is not None
    if result.status != "resolved":
        pytest.fail(f"{result.instance_id}: {result.outcome.summary()} "
                    f"(exit: {result.exit_reason}, turns: {result.turns})", pytrace=False)
