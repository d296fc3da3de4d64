"""Grading: the graders a capability declares, and what they share.

``HiddenTests`` ('tests') runs the hidden tests against a candidate patch;
``ExactAnswer`` ('answer') compares the locations a final answer names with the
expected ones.
"""

from harness.grading.answer import ExactAnswer
from harness.grading.grader import HiddenTests, grade
from harness.grading.junit import parse_junit

__all__ = ["ExactAnswer", "HiddenTests", "grade", "parse_junit"]
