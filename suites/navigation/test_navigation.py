"""Navigation: find the right file and symbol in an unfamiliar package, then fix the bug.

Each case is a real bug several modules deep, and the issue never names the
file: hand-written bugs in the fixture packages under ``repos/``
(``bank.jsonl``) and bugs injected into real PyPI projects (``pypi.jsonl``,
made from ``pypi.toml``). ``pypi.jsonl`` also asks localisation questions
(where is X defined, what calls Y), graded on the exact set of locations in
the final answer. The capability (tools, prompts, graders, scorer, rewards, oracle)
is declared in ``harness/capabilities/navigation.py``. Run it with
``pytest suites/navigation -n 8 --model MODEL``.
"""

import pytest

from harness.pytest_plugin import assert_resolved

pytestmark = pytest.mark.harness_suite(capability="navigation")


def test_case(case_result):
    assert_resolved(case_result)
