"""Planning: fixes that span modules, where the order of the work matters.

Each case is a change several files deep in a real PyPI project (``pypi.jsonl``, made
from ``pypi.toml``): two or three bugs in as many modules, a function whose parameter
was dropped with its callers' arguments, or a documented public function removed with
its exports. The issue names the behaviour, never the files. Cases are graded by their
hidden tests; the scorer follows the episode's numbered plans (written before the first
edit, carried out, kept in scope, revised after failures), counted only when the case is
resolved. The capability is declared in ``harness/capabilities/planning.py``. Run it
with ``pytest suites/planning -n 8 --model MODEL``.
"""

import pytest

from harness.pytest_plugin import assert_resolved

pytestmark = pytest.mark.harness_suite(capability="planning")


def test_case(case_result):
    assert_resolved(case_result)
