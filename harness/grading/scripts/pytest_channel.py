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

- An audit hook (``sys.addaudithook``, which cannot be removed) sees every file the
  tests open while one of them is set up, run or torn down. A file of the repository
  opened other than by the import system (``open``, ``Path.read_text``,
  ``inspect.getsource``) is reported: a test that reads the code's text, not its
  behaviour. Source lines read for a traceback or a warning are not.

Events: ``collected`` (every collected node id), ``collect_error`` (a module that did
not collect), ``phase`` (one test's setup, call or teardown), ``read`` (a test opened a
repository file, relative path), ``finished`` (pytest's exit status). The grader derives
every status from these and checks them against the JUnit report and the process's exit
status.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Generator
from types import FrameType
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


ROOT = os.getcwd()
# Between an ``open`` and the runner (pytest, pluggy) that called the test: frames of
# the first files open sources for the interpreter's own ends (imports, the source lines
# of a traceback or a warning, which linecache reads with tokenize.open), unless the
# second's are there too (inspect.getsource reads through linecache).
_MACHINERY = ("<frozen importlib", "/importlib/", "/traceback.py", "/warnings.py",
              "/linecache.py")
_READING = ("/inspect.py",)
_RUNNER = ("/_pytest/", "/pluggy/")
running: list[str] = []  # the node id of the test being set up, run or torn down
seen: set[tuple[str, str]] = set()


def repository_path(path: Any) -> str | None:
    """``path`` (as ``open`` was given it) relative to the repository; None outside it."""
    if isinstance(path, int):
        return None
    try:
        text = os.fsdecode(path)
    except TypeError:
        return None
    full = os.path.normpath(os.path.join(ROOT, text))
    return full[len(ROOT) + 1:] if full.startswith(ROOT + os.sep) else None


def opened_by_the_test() -> bool:
    """Whether the ``open`` being audited was made by the test's code or the project's:
    the frames between it and the runner hold no import machinery, traceback or warning
    formatting (or do, reached through ``inspect``), and the runner did not open it."""
    frame: FrameType | None = sys._getframe(2)
    between: list[str] = []
    while frame is not None:
        name = frame.f_code.co_filename.replace(os.sep, "/")
        if any(marker in name for marker in _RUNNER):
            break
        between.append(name)
        frame = frame.f_back
    if not between:
        return False
    if any(marker in name for name in between for marker in _READING):
        return True
    return not any(marker in name for name in between for marker in _MACHINERY)


def audit(event: str, args: tuple[Any, ...]) -> None:
    if event != "open" or not running or not args:
        return
    relative = repository_path(args[0])
    if relative is None or (running[-1], relative) in seen or not opened_by_the_test():
        return
    seen.add((running[-1], relative))
    emit("read", id=running[-1], path=relative)


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

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_setup(self, item: pytest.Item) -> Generator[None, Any, Any]:
        return (yield from watched(item))

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_call(self, item: pytest.Item) -> Generator[None, Any, Any]:
        return (yield from watched(item))

    @pytest.hookimpl(wrapper=True, tryfirst=True)
    def pytest_runtest_teardown(self, item: pytest.Item) -> Generator[None, Any, Any]:
        return (yield from watched(item))

    @pytest.hookimpl(tryfirst=True)
    def pytest_sessionfinish(self, session: pytest.Session, exitstatus: int) -> None:
        emit("finished", exitstatus=int(exitstatus))


def watched(item: pytest.Item) -> Generator[None, Any, Any]:
    """One phase of ``item``, with the files it opens reported (``audit``)."""
    running.append(item.nodeid)
    try:
        return (yield)
    finally:
        running.pop()


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


sys.addaudithook(audit)
sys.exit(pytest.main([*environment_plugins(), *sys.argv[2:]], plugins=[Channel()]))
