"""The pytest plugin: one test item per case of a harness suite, a gate at the end.

A suite module names its capability (``harness.capabilities``), whose banks hold its
cases (``banks=[...]``, relative to the module, gives others), and writes one test::

    pytestmark = pytest.mark.harness_suite(capability="navigation")

    def test_case(case_result):
        assert_resolved(case_result)

Infrastructure errors surface in the ``case_result`` fixture, so pytest reports them
as errors (E), apart from model failures (F). At session end the gate of each
capability is decided from ``results.jsonl`` and printed last; the exit status is 0
only when every gate passes, 1 when one fails or is inconclusive, 2 when the session
was interrupted and 4 (pytest's usage error) for a bad option or bank.

This module is loaded by every pytest run where the harness is installed, so it
imports nothing heavy: the session (``harness.pytest_session``) is imported and
registered only when ``--model`` is given. Own hooks: ``harness.hookspecs``.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import TYPE_CHECKING, NoReturn

import pytest

if TYPE_CHECKING:
    from harness.pytest_session import CaseParam, HarnessSession  # noqa: F401 (in a string)
    from harness.results import CaseResult

SESSION_KEY = pytest.StashKey["HarnessSession"]()
_USAGE_ERROR = "harness_usage_error"  # set on a collect report; travels with it across xdist
MODEL_HELP = ("policy URI: oracle, null, replay:RUN/trajectories, "
              "openai:http://HOST:PORT/v1#MODEL, hf:CHECKPOINT, or a scheme from the "
              "harness.policies entry-point group")


def pytest_addhooks(pluginmanager: pytest.PytestPluginManager) -> None:
    from harness import hookspecs

    pluginmanager.add_hookspecs(hookspecs)


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("harness", "evaluation harness (suites/)")
    group.addoption("--model", help=MODEL_HELP)
    group.addoption("--sandbox", default="local", choices=["local", "docker"],
                    help="sandbox backend: local (a copy here) or docker (a container per case)")
    group.addoption("--isolation", default="auto", choices=["auto", "bwrap", "none"],
                    help="local sandbox isolation (auto: bubblewrap when usable)")
    group.addoption("--bank", help="task bank to use instead of the capability's own: JSONL, "
                    "or for the SWE-bench family a .parquet/.jsonl file or hf:DATASET")
    group.addoption("--cases", help="comma-separated instance ids or globs, or =@FILE with one "
                    "per line (write --cases=@FILE: pytest reads a bare @FILE as arguments)")
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
                    help="gate threshold in [0, 1] (default: the capability's own)")
    group.addoption("--baseline", help="baseline run directory; the gate fails on a "
                    "significant regression against it (exact McNemar, alpha 0.05)")
    group.addoption("--infra-retries", type=int, default=2,
                    help="retries of a case after an infrastructure error")
    group.addoption("--max-infra-error-rate", type=float, default=0.0,
                    help="share of cases allowed to end in infrastructure errors, in [0, 1]")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "harness_suite(capability, banks=None): a module whose "
                            "test_case items are the cases of the capability's banks (or of "
                            "banks, relative to the module)")
    config.pluginmanager.register(ConfigurationErrors(config), "harness-configuration-errors")
    if config.getoption("--model") is None:
        return
    from harness.pytest_session import HarnessSession

    session = HarnessSession.start(config)
    config.stash[SESSION_KEY] = session
    config.pluginmanager.register(session, "harness-session")


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Without ``--model`` there is no session to parametrise a suite: say what to do."""
    if SESSION_KEY in metafunc.config.stash or not is_suite_test(metafunc):
        return
    fail_collection(metafunc, "choose a model with --model (oracle, null, "
                    "replay:runs/RUN/trajectories, openai:URL#MODEL, hf:CHECKPOINT)")


def is_suite_test(metafunc: pytest.Metafunc) -> bool:
    return (metafunc.definition.get_closest_marker("harness_suite") is not None
            and "harness_case" in metafunc.fixturenames)


def fail_collection(metafunc: pytest.Metafunc, message: str) -> NoReturn:
    """Stop collecting: the session ends with pytest's usage error (exit 4) and this line."""
    collector = metafunc.definition.parent
    assert collector is not None
    errors = metafunc.config.pluginmanager.get_plugin("harness-configuration-errors")
    assert isinstance(errors, ConfigurationErrors)
    errors.by_collector[collector.nodeid] = message
    raise pytest.Collector.CollectError(message)


class ConfigurationErrors:
    """Turns a configuration error found while collecting a suite into a usage error.

    An xdist worker cannot end the session, so the message rides on the module's collect
    report to the process that can: the controller, or the only process.
    """

    def __init__(self, config: pytest.Config) -> None:
        self.is_worker = hasattr(config, "workerinput")  # how xdist marks its workers
        self.by_collector: dict[str, str] = {}

    @pytest.hookimpl(wrapper=True)
    def pytest_make_collect_report(self, collector: pytest.Collector,
                                   ) -> Generator[None, pytest.CollectReport, pytest.CollectReport]:
        report: pytest.CollectReport = yield
        message = self.by_collector.get(collector.nodeid)
        if message is not None and report.failed:
            vars(report)[_USAGE_ERROR] = message
        return report

    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        message = vars(report).get(_USAGE_ERROR)
        if message and not self.is_worker:
            raise pytest.UsageError(message)


@pytest.fixture
def case_result(harness_case: CaseParam, request: pytest.FixtureRequest) -> Iterator[CaseResult]:
    """Run the case (or reuse its recorded row under --resume); infrastructure errors -> E."""
    session = request.config.stash[SESSION_KEY]
    yield session.run(harness_case, request.node)


def assert_resolved(result: CaseResult) -> None:
    """Fail the test with the grader's one-line reason unless the case was resolved."""
    assert result.outcome is not None
    if result.status != "resolved":
        pytest.fail(f"{result.instance_id}: {result.outcome.summary()} "
                    f"(exit: {result.exit_reason}, turns: {result.turns})", pytrace=False)
