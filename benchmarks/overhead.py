"""Harness overhead on the navigation bank with the oracle.

Prints, per case, the harness's wall time (whole pytest session divided by the
number of cases, one worker, so nothing overlaps) beside the time of running
the same graded tests directly (plain ``python -m pytest FILES`` in a checkout
that already has the gold patch and hidden tests), and their ratio.

Usage: python benchmarks/overhead.py [--cases GLOB] [--isolation auto|bwrap|none]
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

from oracle_suite import ROOT, oracle_suite_seconds  # benchmarks/, run as scripts

from harness.bank import load_bank, select_cases
from harness.grading.grader import apply_patch_text
from harness.grading.patches import test_files_of
from harness.sandbox.local import LocalSandbox
from harness.task import Task


def direct_seconds(task: Task) -> float:
    """Wall time of the graded tests run directly, in a prepared checkout."""
    with LocalSandbox(task.repo_source) as box:
        assert apply_patch_text(box, task.patch) and apply_patch_text(box, task.test_patch)
        files = test_files_of([*task.FAIL_TO_PASS, *task.PASS_TO_PASS])
        command = [sys.executable, *shlex.split(task.test_command)[1:], "-q", *files]
        started = time.perf_counter()
        done = subprocess.run(command, cwd=box.workdir, capture_output=True)
        seconds = time.perf_counter() - started
        assert done.returncode == 0, done.stdout[-500:]
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="example: python benchmarks/overhead.py "
                                            "--cases 'ledgerly-*'")
    parser.add_argument("--cases", help="instance ids or globs, comma-separated")
    parser.add_argument("--isolation", default="auto", choices=["auto", "bwrap", "none"])
    args = parser.parse_args()
    os.environ.setdefault("HARNESS_CACHE", tempfile.mkdtemp(prefix="overhead-cache-"))
    tasks = select_cases(load_bank(ROOT / "suites/navigation/bank.jsonl").tasks, args.cases)
    direct = [direct_seconds(task) for task in tasks]
    # one worker (no xdist), so the cases do not overlap
    total, run_dir = oracle_suite_seconds(args.cases, "-p", "no:xdist", "--isolation",
                                          args.isolation)
    harness_per_case = total / len(tasks)
    direct_per_case = statistics.mean(direct)
    print(f"cases                         {len(tasks)}")
    print(f"harness wall time per case    {harness_per_case:.3f} s  "
          f"(session {total:.1f} s, isolation {args.isolation}, run dir {run_dir})")
    print(f"graded tests run directly     {direct_per_case:.3f} s per case "
          f"(median {statistics.median(direct):.3f} s)")
    print(f"ratio harness / direct        {harness_per_case / direct_per_case:.2f}x")


if __name__ == "__main__":
    main()
