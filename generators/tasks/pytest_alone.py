"""A pytest plugin that runs each test in a fork of its own: ``pytest -p pytest_alone --alone``.

A test run this way sees nothing that other tests left behind (a filled cache, a
patched module, a leaked thread), so whether it fails under an injected bug is a
property of the bug and the test alone. The screen of ``generators.tasks.injection``
uses it to tell those apart from failures that depend on what ran before.

It does what pytest-forked does, which fails every test under pytest 9, and moves
each report back with pytest's own serialisation hooks (the ones pytest-xdist uses), so
a JUnit report reads as it would without it. It imports nothing but pytest: it is
installed into the screening environment, not imported by the harness.
"""

from __future__ import annotations

import json
import os

import pytest
from _pytest.reports import TestReport
from _pytest.runner import runtestprotocol


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--alone", action="store_true",
                     help="run each test in a fork of its own process")


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_protocol(item: pytest.Item, nextitem: pytest.Item | None) -> bool | None:
    if not item.config.getoption("alone"):
        return None
    hook = item.ihook
    hook.pytest_runtest_logstart(nodeid=item.nodeid, location=item.location)
    for report in _in_fork(item):
        hook.pytest_runtest_logreport(report=report)
    hook.pytest_runtest_logfinish(nodeid=item.nodeid, location=item.location)
    return True


def _in_fork(item: pytest.Item) -> list[TestReport]:
    """The reports of ``item`` run (set up, called, torn down) in a child process."""
    config = item.config
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: run, send the reports, leave without pytest's exit handling
        os.close(read)
        try:
            reports = runtestprotocol(item, log=False, nextitem=None)
            data = [config.hook.pytest_report_to_serializable(config=config, report=report)
                    for report in reports]
            with os.fdopen(write, "wb") as pipe:
                pipe.write(json.dumps(data).encode())
        finally:
            os._exit(0)
    os.close(write)
    with os.fdopen(read, "rb") as pipe:
        sent = pipe.read()
    _, status = os.waitpid(pid, 0)
    if not sent:
        return [TestReport(item.nodeid, item.location, {}, "failed",
                           f"the test's process ended with wait status {status}", "call")]
    return [config.hook.pytest_report_from_serializable(config=config, data=data)
            for data in json.loads(sent)]
