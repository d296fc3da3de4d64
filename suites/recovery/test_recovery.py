"""Recovery: the first plausible fix is wrong, or the environment misbehaves.

Each case comes from a bug injected into a real PyPI project (``pypi.jsonl``, made from
``pypi.toml``): a failure that surfaces in another module than its cause, two bugs that
fail a test in common, a bug whose episode suffers an injected environment fault (a test
run that times out once, fails once, or is cut short), or a request the project's own
tests rule out, graded on a clear escalation instead of a fix. The scorer follows the
recovery: verifying each edit, retrying differently and cleanly, never repeating a call
three times, escalating exactly when the case is unsolvable. The capability is declared in
``harness/capabilities/recovery.py``. Run it with ``pytest suites/recovery -n 8 --model
MODEL``.
"""

import pytest

from harness.pytest_plugin import assert_resolved

pytestmark = pytest.mark.harness_suite(capability="recovery")


def test_case(case_result):
    assert_resolved(case_result)
