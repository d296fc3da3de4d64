"""Testing: the model writes tests, judged the way SWT-Bench judges them.

Each case is a bug injected into a real PyPI project, its failing tests hidden
(``pypi.jsonl``, made from ``pypi.toml``): write a test that reproduces the bug (fails
now, passes with the gold fix); work test-first (the test, then the fix, both graded); or
write tests for a function the suite leaves unexercised, which must pass on correct code
and catch a bug put in it. Tests whose status changes over 3 reruns are flaky and never
count; assertions the repository already makes are reported as redundant. The capability
is declared in ``harness/capabilities/testing.py``. Run it with
``pytest suites/testing -n 8 --model MODEL``.
"""

import pytest

from harness.pytest_plugin import assert_resolved

pytestmark = pytest.mark.harness_suite(capability="testing")


def test_case(case_result):
    assert_resolved(case_result)
