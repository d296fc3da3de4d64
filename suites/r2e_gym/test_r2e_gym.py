"""R2E-Gym: commits turned into issues, each row in its own image, graded by its hidden tests
(the harness's own channel and JUnit checks: R2E-Gym rows carry pytest node ids).
``pytest suites/r2e_gym --sandbox docker --model MODEL --bank R2E-Gym-Lite.parquet``.
"""

import pytest

from harness.pytest_plugin import assert_resolved

pytestmark = pytest.mark.harness_suite(capability="r2e-gym")


def test_case(case_result):
    assert_resolved(case_result)
