"""Navigation: find the right file and symbol in an unfamiliar package, then fix the bug.

Each case is a real bug several modules deep in one of the fixture packages
under ``repos/``; the issue never names the file. Run it with
``pytest suites/navigation -n 8 --model MODEL``.
"""

import pytest

from harness.pytest_plugin import assert_resolved

pytestmark = pytest.mark.harness_suite(capability="navigation", bank="bank.jsonl",
                                       gate_pass_rate=0.5)


def test_case(case_result):
    assert_resolved(case_result)
