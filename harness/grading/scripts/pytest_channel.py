"""Run inside a sandbox: pytest under the grader's control, each outcome streamed as it happens.

Usage: ``python -s - FD [PYTEST ARGUMENTS] < pytest_channel.py``

- The working directory (the repository) is taken out of the front of ``sys.path``
  (what ``python -P`` does on 3.11) and appended after the standard library and
  site-packages, so nothing in the repository can shadow pytest or the standard library.
- ``FD`` is an inherited file descriptor leading to the grader. One JSON line per
  event is written there the moment it happens, so nothing the tests do afterwards
  (an ``atexit`` handler, a rewritten report file) can change what was sent.
- A phase's outcome is read from the exception it raised (``call.excinfo``), not from
  the report object pytest builds, so a forged report does not change it.
- Plugin autoloading is off (the grader's wrapper); the plugins the environment
  installed are loaded by name (``environment_plugins``), none from the repository.

Events: ``collected`` (every collected node id), ``collect_error`` (a module that did
not collect), ``phase`` (one test's setup, call or teardown), ``finished`` (pytest's
exit status). The grader derives every status from these and checks them against the
JUnit report and the process's exit status.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Generator
from typing import Any

channel = os.fdopen(int(sys.argv[1]), "w", buffering=1, encoding="utf-8",
                    errors="backslashreplace")
# What ``python -P`` does, on any Python: the working directory is not searched first.
sys.path[:] = [p for p in sys.path if p not in ("", ".", os.getcwd())]
sys.path.append(os.getcwd())

import pytest  # noqa: E402  (after sys.path is settled)
from _pytest.skipping import evaluate_xfail_marks  # noqa: E402  (pytest's own reading)


def emit(event: str, **fields: Any) -> None:
    channel.write(json.dumps({"event": event, **fields}) + "\n")


def phase_status(item: pytest.Item, call: pytest.CallInfo[None]) -> str:
    """passed, failed, skipped or error, as pytest would report the phase, read from the
    exception the phase raised and the test's xfail marks (evaluated as pytest does)."""
    excinfo = call.excinfo
    if excinfo is not None and excinfo.errisinstance((pytest.skip.Exception,
                                                      pytest.xfail.Exception)):
        return "skipped"
    if call.when != "call":
        return "passed" if excinfo is None else "error"
    xfail = evaluate_xfail_marks(item)
    if xfail is None:
        return "passed" if excinfo is None else "failed"
    if excinfo is None:
        return "failed" if xfail.strict else "passed"
    raises: Any = xfail.raises
    if raises is None:
        return "skipped"
    if isinstance(raises, (type, tuple)):
        return "skipped" if isinstance(excinfo.value, raises) else "failed"
    return "skipped" if raises.matches(excinfo.value) else "failed"  # pytest.RaisesExc


class Channel:
    """Sends each event to the grader; registered before any other plugin."""

    @pytest.hookimpl(tryfirst=True)
    def pytest_collectreport(self, report: pytest.CollectReport) -> None:
        if report.failed:
            emit("collect_error", id=report.nodeid)

    @pytest.hookimpl(tryfirst=True)
    def pytest_collection_finish(self, session: pytest.Session) -> None:
        emit("collected", ids=[item.nodeid for item in session.items])

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_makereport(self, item: pytest.Item,
                                  call: pytest.CallInfo[None]) -> Generator[None, Any, Any]:
        # After the other implementations: pytest's unittest support moves a TestCase's
        # failure into call.excinfo there. The report they made is not looked at.
        report = yield
        emit("phase", id=item.nodeid, when=call.when, status=phase_status(item, call))
        return report

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        emit("finished", exitstatus=int(exitstatus))


def environment_plugins() -> list[str]:
    """``-p MODULE`` for each pytest plugin the sandbox's environment installed (the
    ``pytest11`` entry points of distributions outside the repository). Autoloading is
    off, so a plugin the repository itself declares is never loaded, while one the case's
    environment spec asks for (pytest-cov for a project whose addopts say ``--cov``) is."""
    from importlib.metadata import distributions

    repo = os.path.realpath(os.getcwd())
    modules: list[str] = []
    for dist in distributions():
        try:
            where = os.path.realpath(str(dist.locate_file("")))
            points = list(dist.entry_points)
        except Exception:  # a broken distribution is the environment's, not fatal
            continue
        if where == repo or where.startswith(repo + os.sep):
            continue
        for point in points:
            module = point.value.split(":", 1)[0].strip()
            if point.group == "pytest11" and module and module not in modules:
                modules.append(module)
    return [argument for module in modules for argument in ("-p", module)]


sys.exit(pytest.main([*environment_plugins(), *sys.argv[2:]], plugins=[Channel()]))
