"""Grading: hidden tests decide whether a candidate patch resolves its case."""

from harness.grading.grader import grade
from harness.grading.junit import parse_junit

__all__ = ["grade", "parse_junit"]
