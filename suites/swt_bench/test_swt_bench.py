"""SWT-Bench: the model writes tests that reproduce an issue, graded as SWT-Bench grades
them (fail before the gold fix, pass after it; applicability, F->X and coverage of the fix
alongside). Each row runs in its official instance image; needs the docker and swebench
extras. SWT-Bench Verified is SWE-bench Verified minus SWT-Bench's filter file:
``pytest suites/swt_bench --sandbox docker --model MODEL \
--bank 'SWE-bench_Verified.test.parquet?exclude=filter_cases_verified.txt'``.
"""

import pytest

from harness.pytest_plugin import assert_resolved

pytestmark = pytest.mark.harness_suite(capability="swt-bench")


def test_case(case_result):
    assert_resolved(case_result)
