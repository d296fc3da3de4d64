"""SWE-bench Lite: each row runs in its official instance image and is graded by the official
harness's rules (the row's log parser, through the swebench package). Needs the docker and
swebench extras. Rows come from the Hugging Face dataset, or from a file:
``pytest suites/swe_bench_lite --sandbox docker --model MODEL \
--bank SWE-bench_Lite.test.parquet``.
"""

import pytest

from harness.pytest_plugin import assert_resolved

pytestmark = pytest.mark.harness_suite(capability="swe-bench-lite")


def test_case(case_result):
    assert_resolved(case_result)
